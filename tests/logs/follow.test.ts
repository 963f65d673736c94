import { appendFileSync, mkdirSync, readdirSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followLogs } from '../../src/logs/follow.js';
import type { TailLine } from '../../src/logs/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { advanceAndCatchUp, PROBE_FILE, startFollowing } from './follow-helpers.js';
import { writeRolling } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

/** Moves the fake clock to the next poll and waits until the follower has caught up. */
const scanOnClock = advanceAndCatchUp;

describe('followLogs', () => {
  it.each([
    ['fs.watch and polling', true],
    ['polling only', false],
  ])('sees every line exactly once while the real pino-roll rotates under it (dir missing at start; %s)', async (_, watch) => {
    const logDir = path.join(tmp.dir, 'not-yet');
    const f = startFollowing(logDir, { watch, pollMs: 15 });
    const total = 4000;
    // Small files, and a pause for the worker to catch up every 20 lines: rotations come faster than
    // scans, racing discovery against the writer.
    const writing = writeRolling(logDir, { lines: total, size: '8k', pauseEvery: 20, flushAtPause: true });
    await waitFor(() => f.texts().length >= total, `${total} lines`, 30_000);
    await writing;
    await f.settle(); // nothing may be repeated after the last line
    await f.stop();
    const seqs = f.texts().map((text) => (JSON.parse(text) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
    // pino-roll may have opened one more, still empty, file after the last write.
    const files = readdirSync(logDir).filter((n) => n !== 'current.log' && n !== PROBE_FILE && statSync(path.join(logDir, n)).size > 0);
    expect(files.length).toBeGreaterThan(10);
    expect(new Set(f.lines.filter((l) => l.source !== PROBE_FILE).map((l) => l.source))).toEqual(new Set(files));
    expect(f.errors).toEqual([]);
  }, 40_000);

  it('emits the last N lines first, then new ones; a partial line is emitted once, whole', { timeout: 20_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'app.1.log'), 'one\ntwo\nthree\nfour\npart');
    const f = startFollowing(tmp.dir, { initialLines: 2, watch: false, pollMs: 15, partialLineIdleMs: 60_000 });
    await waitFor(() => f.texts().length >= 2, 'initial lines', 5000);
    expect(f.texts()).toEqual(['three', 'four']);
    appendFileSync(path.join(tmp.dir, 'app.1.log'), 'ial\nfive\n');
    await waitFor(() => f.texts().length >= 4, 'appended lines', 5000);
    // Rotation: the old file ends without a newline, then the next file appears.
    appendFileSync(path.join(tmp.dir, 'app.1.log'), 'last of one');
    writeFileSync(path.join(tmp.dir, 'app.2.log'), 'first of two\n');
    await waitFor(() => f.texts().length >= 6, 'rotated lines', 5000);
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['three', 'four', 'partial', 'five', 'last of one', 'first of two']);
  });

  it('emits only the lines accept takes, among the initial ones and the new ones; each is checked once', { timeout: 20_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'app.1.log'), 'keep 1\ndrop 2\nkeep 3\ndrop 4\n');
    const checked: string[] = [];
    const accept = (line: TailLine) => {
      checked.push(line.text);
      return line.text.startsWith('keep');
    };
    const f = startFollowing(tmp.dir, { initialLines: 2, accept: (line) => line.source === PROBE_FILE || accept(line), watch: false, pollMs: 15 });
    await waitFor(() => f.texts().length >= 2, 'initial lines', 5000);
    appendFileSync(path.join(tmp.dir, 'app.1.log'), 'drop 5\nkeep 6\n');
    await waitFor(() => f.texts().length >= 3, 'appended lines', 5000);
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['keep 1', 'keep 3', 'keep 6']);
    expect(checked.filter((t) => t === 'keep 6' || t === 'drop 5')).toEqual(['drop 5', 'keep 6']);
    expect(checked.filter((t) => t === 'keep 3')).toEqual(['keep 3']);
  });

  it('emits a last line without newline once its file stops growing', { timeout: 20_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'plain.log'), 'done\nstill typing');
    const f = startFollowing(tmp.dir, { initialLines: 5, partialLineIdleMs: 40 });
    await waitFor(() => f.texts().length >= 2, 'the partial line', 5000);
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['done', 'still typing']);
  });

  it('starts over a truncated file and survives deletion and a new file', { timeout: 20_000 }, async () => {
    const file = path.join(tmp.dir, 'app.1.log');
    writeFileSync(file, 'old a\nold b\n');
    const f = startFollowing(tmp.dir);
    await f.live();
    truncateSync(file, 0);
    await f.settle();
    appendFileSync(file, 'new a\n');
    await waitFor(() => f.texts().length >= 1, 'line after truncation', 5000);
    unlinkSync(file);
    await f.settle();
    mkdirSync(path.join(tmp.dir, '2026', '11', '20'), { recursive: true });
    writeFileSync(path.join(tmp.dir, '2026', '11', '20', 'codex-desktop-s-1-t0-i0-101010-1.log'), '2026-11-20T10:10:10Z info hello\n');
    await waitFor(() => f.texts().length >= 2, 'line from the new file', 5000);
    await f.stop();
    expect(f.lines.filter((l) => l.source !== PROBE_FILE)).toEqual([
      { source: 'app.1.log', text: 'new a' },
      { source: '2026/11/20/codex-desktop-s-1-t0-i0-101010-1.log', text: '2026-11-20T10:10:10Z info hello' },
    ]);
    expect(f.errors).toEqual([]);
  });

  it('stops on abort: the promise resolves, no timer is left and no line arrives afterwards', { timeout: 20_000 }, async () => {
    const file = path.join(tmp.dir, 'a.log');
    writeFileSync(file, '');
    const clock = new ManualClock(1_763_000_000_000);
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 15 });
    await f.live();
    appendFileSync(file, 'before\n');
    await scanOnClock(f, clock, 15);
    expect(f.texts()).toEqual(['before']);
    f.controller.abort();
    await f.done;
    expect(clock.pending).toBe(0);
    const opensAtStop = f.counts.opens;
    const scansAtStop = f.counts.caughtUp;
    appendFileSync(file, 'after\n');
    // Time for many polls: a live follower would have scanned and opened the file again.
    clock.advance(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.counts.opens).toBe(opensAtStop);
    expect(f.counts.caughtUp).toBe(scansAtStop);
    expect(f.texts()).toEqual(['before']);
  });

  it('reads a file truncated and written again past its old end between two polls from its start', { timeout: 20_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'old 1\nold 2\n');
    const clock = new ManualClock(1_763_000_000_000);
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    // Same inode, bigger than before: by size alone this looks like growth from offset 12.
    writeFileSync(file, 'a new first line, longer\nnew 2\n');
    await scanOnClock(f, clock, 100);
    expect(f.texts()).toEqual(['a new first line, longer', 'new 2']);
    // Written again to exactly the same length: only the changed mtime and bytes tell.
    writeFileSync(file, 'A NEW FIRST LINE, LONGER\nNEW 2\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await scanOnClock(f, clock, 100);
    appendFileSync(file, 'grown\n');
    await scanOnClock(f, clock, 100);
    f.controller.abort();
    await f.done;
    expect(f.texts()).toEqual(['a new first line, longer', 'new 2', 'A NEW FIRST LINE, LONGER', 'NEW 2', 'grown']);
    expect(f.errors).toEqual([]);
  });

  it('never splits a partial line of one desktop process because another process has a newer file', { timeout: 20_000 }, async () => {
    const day = path.join(tmp.dir, '2026', '11', '21');
    mkdirSync(day, { recursive: true });
    const main = path.join(day, 'codex-desktop-s1-100-t0-i0-090000-1.log');
    const helper = path.join(day, 'codex-desktop-s1-200-t0-i0-090500-1.log');
    writeFileSync(main, '2026-11-21T09:00:00Z info main up\n2026-11-21T09:00:01Z info half a li');
    writeFileSync(helper, '2026-11-21T09:05:00Z info helper up\n');
    const clock = new ManualClock(1_763_000_000_000);
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100, initialLines: 10, partialLineIdleMs: 60_000 });
    await f.live();
    await scanOnClock(f, clock, 100);
    appendFileSync(helper, '2026-11-21T09:05:01Z info helper busy\n');
    await scanOnClock(f, clock, 100);
    appendFileSync(main, 'ne, now whole\n');
    await scanOnClock(f, clock, 100);
    f.controller.abort();
    await f.done;
    expect(f.texts()).toEqual([
      '2026-11-21T09:00:00Z info main up',
      '2026-11-21T09:05:00Z info helper up',
      '2026-11-21T09:05:01Z info helper busy',
      '2026-11-21T09:00:01Z info half a line, now whole',
    ]);
  });

  it('resolves at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(followLogs({ logDir: tmp.dir, signal: controller.signal, onLine: () => undefined })).resolves.toBeUndefined();
  });
});
