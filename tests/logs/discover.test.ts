import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLogFiles } from '../../src/logs/discover.js';
import { logFileName, parseDesktopLogName, parsePinoRollName } from '../../src/logs/file-naming.js';
import { readLastLines } from '../../src/logs/read-last-lines.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

/** Creates a file with a given mtime (seconds from a fixed base) so ordering by time is deterministic. */
function file(rel: string, content: string, mtime: number): void {
  const full = path.join(tmp.dir, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  utimesSync(full, 1_700_000_000 + mtime, 1_700_000_000 + mtime);
}

const sources = async () => (await discoverLogFiles(tmp.dir)).map((f) => f.source);

describe('file naming shared by writer and reader', () => {
  it('round-trips pino-roll names, with and without a date', () => {
    expect(logFileName('app', 3)).toBe('app.3.log');
    expect(logFileName('app', 12, { date: '2026-11-20' })).toBe('app.2026-11-20.12.log');
    expect(parsePinoRollName('app.2026-11-20.12.log')).toEqual({ base: 'app', date: '2026-11-20', number: 12, extension: '.log' });
    expect(parsePinoRollName('app.prod.7.log')).toEqual({ base: 'app.prod', date: null, number: 7, extension: '.log' });
    expect(parsePinoRollName('current.log')).toBeNull();
    expect(parsePinoRollName('notes.log')).toBeNull();
  });

  it('parses the Codex desktop layout, including a session id with dashes', () => {
    expect(parseDesktopLogName('2026/11/20/codex-desktop-8f3a-41c2-1234-t0-i2-093015-3.log')).toEqual({
      day: '20261120',
      session: '8f3a-41c2',
      pid: 1234,
      thread: 0,
      instance: 2,
      time: '093015',
      segment: 3,
    });
    expect(parseDesktopLogName('codex-desktop-x.log')).toBeNull();
  });
});

describe('discoverLogFiles', () => {
  it('orders pino-roll files by N as a number (app.10 after app.9), whatever their mtimes', async () => {
    for (const n of [1, 2, 9, 10, 11]) file(`app.${n}.log`, `${n}\n`, 100 - n); // mtimes reversed on purpose
    expect(await sources()).toEqual(['app.1.log', 'app.2.log', 'app.9.log', 'app.10.log', 'app.11.log']);
  });

  it('orders dated pino-roll files by date, then N (N restarts each day)', async () => {
    file('app.2026-11-21.1.log', '', 5);
    file('app.2026-11-20.10.log', '', 3);
    file('app.2026-11-20.2.log', '', 1);
    file('app.2026-11-21.2.log', '', 6);
    expect(await sources()).toEqual(['app.2026-11-20.2.log', 'app.2026-11-20.10.log', 'app.2026-11-21.1.log', 'app.2026-11-21.2.log']);
  });

  it('never lists the current.log symlink beside its target, but keeps a symlink to a file not listed', async () => {
    file('app.1.log', 'a\n', 1);
    file('app.2.log', 'b\n', 2);
    symlinkSync('app.2.log', path.join(tmp.dir, 'current.log'));
    const elsewhere = makeTempDir();
    try {
      writeFileSync(path.join(elsewhere.dir, 'x.txt'), 'outside\n');
      symlinkSync(path.join(elsewhere.dir, 'x.txt'), path.join(tmp.dir, 'linked.log'));
      // A link to a file inside the dir that discovery does not list by itself is read through the link.
      mkdirSync(path.join(tmp.dir, 'sub'));
      writeFileSync(path.join(tmp.dir, 'sub', 'inner.txt'), 'inner\n');
      symlinkSync(path.join('sub', 'inner.txt'), path.join(tmp.dir, 'inner.log'));
      expect((await sources()).sort()).toEqual(['app.1.log', 'app.2.log', 'inner.log', 'linked.log']);
      const { lines } = await readLastLines({ logDir: tmp.dir, count: 10 });
      expect(lines.filter((l) => l.text === 'b')).toHaveLength(1);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('orders desktop text logs across days by day, start time and segment', async () => {
    const name = (t: string, seg: number) => `codex-desktop-s1-77-t0-i0-${t}-${seg}.log`;
    file(`2026/11/21/${name('000102', 1)}`, '', 50);
    file(`2026/11/20/${name('235900', 10)}`, '', 40);
    file(`2026/11/20/${name('235900', 2)}`, '', 45); // mtime out of order: the name decides
    file(`2026/11/20/${name('101010', 1)}`, '', 10);
    file('2026/11/20/ignored.txt', '', 1);
    file('2026/xx/20/not-a-day.log', '', 1);
    expect(await sources()).toEqual([
      `2026/11/20/${name('101010', 1)}`,
      `2026/11/20/${name('235900', 2)}`,
      `2026/11/20/${name('235900', 10)}`,
      `2026/11/21/${name('000102', 1)}`,
    ]);
  });

  it('interleaves families and other *.log files by mtime, keeping each family in its own order', async () => {
    file('app.1.log', '', 10);
    file('zeta.log', '', 15);
    file('app.2.log', '', 20);
    file('alpha.log', '', 30);
    file('app.3.log', '', 25);
    file('readme.txt', '', 1);
    expect(await sources()).toEqual(['app.1.log', 'zeta.log', 'app.2.log', 'app.3.log', 'alpha.log']);
  });

  it('rejects a missing dir with NOT_FOUND (exit 2) naming it, and returns [] for an empty one', async () => {
    const missing = path.join(tmp.dir, 'missing');
    await expect(discoverLogFiles(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', exitCode: 2, message: `log dir not found: ${missing}` });
    expect(await discoverLogFiles(tmp.dir)).toEqual([]);
  });
});
