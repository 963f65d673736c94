import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLogFiles } from '../../src/logs/discover.js';
import { parsePinoRollName } from '../../src/logs/file-naming.js';
import { createLogger } from '../../src/logs/logger.js';
import { parseLogLineWithFields } from '../../src/logs/parse-line.js';
import { readLastLines } from '../../src/logs/read-last-lines.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('createLogger', () => {
  it('with the defaults writes <name>.<date>.<N>.log beside a current.log symlink, in a dir it creates', { timeout: 30_000 }, async () => {
    const logDir = path.join(tmp.dir, 'a', 'b');
    const diag = createLogger({ logDir, redactKeys: ['sessionCookie'] });
    diag.logger.info({ user: { sessionCookie: 'c1', token: 't1', deep: { a: { b: { password: 'p' } } } } }, 'hello');
    diag.logger.warn('careful');
    await diag.close();
    await diag.close(); // a second close is a no-op

    const names = readdirSync(logDir).sort();
    expect(names).toHaveLength(2);
    expect(lstatSync(path.join(logDir, 'current.log')).isSymbolicLink()).toBe(true);
    const file = names.find((n) => n !== 'current.log')!;
    const parsed = parsePinoRollName(file)!;
    expect(parsed.base).toBe('app');
    expect(parsed.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(diag.fileName(parsed.number, parsed.date)).toBe(file);
    expect((await discoverLogFiles(logDir)).map((f) => f.source)).toEqual([file]);

    const { lines } = await readLastLines({ logDir, count: 10 });
    expect(lines).toHaveLength(2);
    const first = parseLogLineWithFields(lines[0]!);
    expect(first.line).toMatchObject({ level: 'info', msg: 'hello' });
    expect(first.fields.user).toEqual({ sessionCookie: '[Redacted]', token: '[Redacted]', deep: { a: { b: { password: '[Redacted]' } } } });
    expect(parseLogLineWithFields(lines[1]!).line).toMatchObject({ level: 'warn', msg: 'careful' });
  });

  it('close() keeps every record written before it, the worker closing the file on its own, and waits only by the clock it is given', { timeout: 60_000 }, async () => {
    const logDir = path.join(tmp.dir, 'burst');
    const diag = createLogger({ logDir, frequency: null, size: '1g' });
    const RECORDS = 5_000;
    // Written at once, while the worker is still starting: all of it sits in the transport's buffer.
    for (let i = 0; i < RECORDS; i++) diag.logger.info({ i }, 'burst');
    const clock = new ManualClock();
    // thread-stream's synchronous end() and flushSync() wait on the caller's thread: close uses neither.
    const ThreadStream = createRequire(import.meta.url)('thread-stream') as { prototype: Record<'end' | 'flushSync', (...args: unknown[]) => unknown> };
    const blocking: string[] = [];
    const originals = { end: ThreadStream.prototype.end, flushSync: ThreadStream.prototype.flushSync };
    for (const name of ['end', 'flushSync'] as const) {
      ThreadStream.prototype[name] = function (this: unknown, ...args: unknown[]) {
        blocking.push(name);
        return originals[name].apply(this, args);
      };
    }
    try {
      // A clock that never moves: close resolves because the worker finished, not because time ran out.
      await diag.close({ timeoutMs: 1, clock });
    } finally {
      Object.assign(ThreadStream.prototype, originals);
    }
    expect(blocking).toEqual([]);
    expect(clock.pending).toBe(0);
    const text = readdirSync(logDir)
      .filter((f) => f.endsWith('.log') && f !== 'current.log')
      .map((f) => readFileSync(path.join(logDir, f), 'utf8'))
      .join('');
    const seen = text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { i: number }).i);
    expect(seen).toHaveLength(RECORDS);
    expect(seen.every((value, index) => value === index)).toBe(true);
  });

  it('fails with one clear IO error naming the dir when it cannot be created', () => {
    const blocker = path.join(tmp.dir, 'a-file');
    writeFileSync(blocker, '');
    expect(() => createLogger({ logDir: path.join(blocker, 'logs') })).toThrow(
      expect.objectContaining({ code: 'IO', message: expect.stringContaining(`cannot create log dir ${path.join(blocker, 'logs')}`) }),
    );
  });
});
