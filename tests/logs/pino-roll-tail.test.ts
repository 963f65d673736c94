import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { discoverLogFiles } from '../../src/logs/discover.js';
import { parsePinoRollName } from '../../src/logs/file-naming.js';
import { parseLogLine } from '../../src/logs/parse-line.js';
import { readLastLines } from '../../src/logs/read-last-lines.js';
import { cliIo } from '../helpers/cli-io.js';
import { fixtureMessage, writeRolling } from './helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const TOTAL = 6000;
const seqOf = (text: string) => (JSON.parse(text) as { seq: number }).seq;

describe('tail over files written by the real pino-roll under load', () => {
  const tmp = makeTempDir();
  const logDir = path.join(tmp.dir, 'logs', 'missing-before-start');

  beforeAll(async () => {
    // The dir does not exist yet: createLogger makes it (pino-roll with mkdir+symlink would crash).
    await writeRolling(logDir, { lines: TOTAL, size: '32k' });
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('rotated into many numbered files, with current.log pointing at the newest', async () => {
    const names = readdirSync(logDir).filter((n) => n !== 'current.log');
    expect(names.length).toBeGreaterThan(15);
    const numbers = names.map((n) => parsePinoRollName(n)!.number).sort((a, b) => a - b);
    expect(numbers[0]).toBe(1);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1)); // 1..N, no gaps
    expect(lstatSync(path.join(logDir, 'current.log')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(logDir, 'current.log'))).toBe(`app.${numbers.length}.log`);
  });

  it('wrote every record exactly once, in order (the worker flushed on close)', async () => {
    const files = await discoverLogFiles(logDir);
    expect(files.map((f) => f.source)).not.toContain('current.log');
    const all = files.flatMap((f) => readFileSync(f.path, 'utf8').split('\n').filter(Boolean)).map(seqOf);
    expect(all).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
  });

  it.each([1, 10, 777, 2500, TOTAL])('returns exactly the last %i lines written, in order', async (count) => {
    const result = await readLastLines({ logDir, count });
    expect(result.lines.map((l) => seqOf(l.text))).toEqual(Array.from({ length: count }, (_, i) => TOTAL - count + i));
    expect(result.cutLines).toBe(0);
  });

  it('reads bytes in proportion to the lines returned, not the size of the dir', async () => {
    const files = await discoverLogFiles(logDir);
    const dirBytes = files.reduce((sum, f) => sum + f.size, 0);
    const { lines, bytesRead, files: opened } = await readLastLines({ logDir, count: 100 });
    const lineBytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l.text) + 1, 0);
    expect(bytesRead).toBeGreaterThanOrEqual(lineBytes);
    // At most one extra 64 KiB block per file touched.
    expect(bytesRead).toBeLessThanOrEqual(lineBytes + opened * 64 * 1024);
    expect(bytesRead).toBeLessThan(dirBytes / 5);
  });

  it('returns everything when asked for more lines than exist', async () => {
    const { lines } = await readLastLines({ logDir, count: TOTAL * 2 });
    expect(lines).toHaveLength(TOTAL);
    expect(seqOf(lines[0]!.text)).toBe(0);
  });

  it('redacted secret keys at depth before they reached disk', async () => {
    const { lines } = await readLastLines({ logDir, count: 5 });
    for (const line of lines) {
      expect(line.text).not.toMatch(/hunter|tok\d/);
      const record = JSON.parse(line.text) as { password: string; req: { headers: { authorization: string } } };
      expect(record.password).toBe('[Redacted]');
      expect(record.req.headers.authorization).toBe('[Redacted]');
    }
  });

  it('parses the pino records: level names, ISO time, msg', async () => {
    const { lines } = await readLastLines({ logDir, count: 14 });
    for (const tailLine of lines) {
      const parsed = parseLogLine(tailLine);
      const seq = seqOf(tailLine.text);
      expect(parsed.msg).toBe(fixtureMessage(seq));
      expect(parsed.level).toBe(seq % 13 === 0 ? 'error' : seq % 7 === 0 ? 'warn' : 'info');
      expect(parsed.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(parsed.source).toMatch(/^app\.\d+\.log$/);
    }
  });

  it('codex-diag tail prints the raw last lines, --json parses them, --level filters', async () => {
    const text = cliIo();
    expect(await runCli(['tail', '--log-dir', logDir, '-n', '3'], text)).toBe(0);
    expect(text.out().trimEnd().split('\n').map(seqOf)).toEqual([TOTAL - 3, TOTAL - 2, TOTAL - 1]);

    const json = cliIo();
    expect(await runCli(['tail', '--log-dir', logDir, '-n', '2', '--json'], json)).toBe(0);
    const records = json.out().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => Object.keys(r).sort())).toEqual([
      ['level', 'line', 'msg', 'source', 'time'],
      ['level', 'line', 'msg', 'source', 'time'],
    ]);
    expect(records[1]!.msg).toBe(fixtureMessage(TOTAL - 1));

    const warn = cliIo();
    expect(await runCli(['tail', '--log-dir', logDir, '-n', '5', '--level', 'warn', '--json'], warn)).toBe(0);
    const seqs = warn.out().trimEnd().split('\n').map((l) => seqOf((JSON.parse(l) as { line: string }).line));
    const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 7 === 0 || i % 13 === 0).slice(-5);
    expect(seqs).toEqual(expected);
  });
});

describe('retention', () => {
  it('keeps `limit` files besides the current one and the tail still ends with the last line', { timeout: 60_000 }, async () => {
    const tmp = makeTempDir();
    try {
      await writeRolling(tmp.dir, { lines: 3000, size: '16k', limit: 3 });
      const names = readdirSync(tmp.dir).filter((n) => n !== 'current.log');
      expect(names.length).toBeLessThanOrEqual(4);
      const { lines } = await readLastLines({ logDir: tmp.dir, count: 50 });
      expect(lines.map((l) => seqOf(l.text))).toEqual(Array.from({ length: 50 }, (_, i) => 2950 + i));
    } finally {
      tmp.cleanup();
    }
  });
});
