import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLogTree } from '../../src/logs/discover.js';
import { DEFAULT_SAFETY_POLL_MS } from '../../src/logs/follow.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { advanceAndCatchUp, startFollowing, startTailProcess } from './follow-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

const FILES = 64;

/** 64 files of 256 KiB each: reading them whole to go live would be 16 MiB. */
function writeManyFiles(dir: string): string[] {
  const line = `${'x'.repeat(99)}\n`;
  const body = line.repeat((256 * 1024) / line.length);
  return Array.from({ length: FILES }, (_, i) => {
    const file = path.join(dir, `renderer-${String(i).padStart(2, '0')}.log`);
    writeFileSync(file, body);
    return file;
  });
}

describe('going live', () => {
  it('goes live after one listing, before opening a file; then reads a little at the end of each, not their contents', { timeout: 30_000 }, async () => {
    const files = writeManyFiles(tmp.dir);
    let listings = 0;
    const f = startFollowing(tmp.dir, {
      discover: (dir) => {
        listings++;
        return discoverLogTree(dir);
      },
    });
    await f.live();
    expect(f.counts.liveFiles).toBe(FILES);
    expect(listings).toBe(1);
    expect(f.counts.opensBeforeLive).toBe(0);
    expect(f.counts.bytesBeforeLive).toBe(0);
    // After going live, one 4 KiB block from the end of each file finds where its complete lines end;
    // its first 256 bytes are kept to recognise a copy of it (copytruncate).
    expect(f.counts.opens).toBe(FILES);
    expect(f.counts.bytesRead).toBeLessThanOrEqual(FILES * (4096 + 256));
    appendFileSync(files[17]!, 'first new line\n');
    await waitFor(() => f.texts().length === 1, 'the first new line');
    await f.stop();
    expect(f.texts()).toEqual(['first new line']);
  });

  it('with initial lines, opens before going live only the files those lines come from', { timeout: 30_000 }, async () => {
    writeManyFiles(tmp.dir);
    const f = startFollowing(tmp.dir, { initialLines: 5 });
    await f.live();
    expect(f.counts.opensBeforeLive).toBe(1);
    expect(f.lines).toHaveLength(5);
    await f.stop();
  });

  it('while idle, only a slow safety poll runs: no listing, no file opened, no byte read', { timeout: 30_000 }, async () => {
    writeManyFiles(tmp.dir);
    let listings = 0;
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, {
      clock,
      discover: (dir) => {
        listings++;
        return discoverLogTree(dir);
      },
    });
    await f.live();
    await f.settle();
    await f.settle();
    expect(clock.pendingDelays()).toEqual([DEFAULT_SAFETY_POLL_MS]);
    expect(DEFAULT_SAFETY_POLL_MS).toBeGreaterThanOrEqual(3000);
    // A probe appended between a read's stat and its read leaves an mtime the read did not record: the
    // first poll then compares the bytes before the read point once (a copytruncate check). Idle starts after it.
    await advanceAndCatchUp(f, clock, DEFAULT_SAFETY_POLL_MS);
    const before = { listings, opens: f.counts.opens, bytes: f.counts.bytesRead };
    for (let tick = 0; tick < 10; tick++) await advanceAndCatchUp(f, clock, DEFAULT_SAFETY_POLL_MS);
    expect({ listings, opens: f.counts.opens, bytes: f.counts.bytesRead }).toEqual(before);
    await f.stop();
    expect(clock.pending).toBe(0);
  });

  it('writes to files that are not logs cause no listing', { timeout: 30_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'app.log'), '');
    let listings = 0;
    const f = startFollowing(tmp.dir, {
      discover: (dir) => {
        listings++;
        return discoverLogTree(dir);
      },
    });
    await f.live();
    await f.settle(); // the probe file is new: listed
    await f.settle(); // and known by now: a listing still due from its events came before this probe
    const before = listings;
    for (let i = 0; i < 20; i++) appendFileSync(path.join(tmp.dir, 'state.json.tmp'), `{"n":${i}}\n`);
    appendFileSync(path.join(tmp.dir, 'app.log'), 'a log line\n');
    await waitFor(() => f.texts().length === 1, 'the log line');
    await f.settle();
    await f.stop();
    expect(listings).toBe(before);
    expect(f.texts()).toEqual(['a log line']);
  });

  it('the safety poll still catches a write that fs.watch did not report', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, '');
    const clock = new ManualClock();
    // A watch that never reports anything: as if every event were missed.
    const f = startFollowing(tmp.dir, { clock, watchPath: () => ({ close: () => undefined }) });
    await f.live();
    appendFileSync(file, 'missed by the watch\n');
    await advanceAndCatchUp(f, clock, DEFAULT_SAFETY_POLL_MS);
    writeFileSync(path.join(tmp.dir, 'new.log'), 'new file, also missed\n');
    await advanceAndCatchUp(f, clock, DEFAULT_SAFETY_POLL_MS);
    await f.stop();
    expect(f.texts()).toEqual(['missed by the watch', 'new file, also missed']);
  });
});

describe('codex-diag tail -f goes live (real process)', () => {
  it('prints a line written right after start, with 64 files in the dir', { timeout: 60_000 }, async () => {
    writeManyFiles(tmp.dir);
    const tail = startTailProcess(tmp.dir, ['-n', '0']);
    await tail.settle();
    expect(await tail.stop()).toBe(0);
    expect(tail.texts()).toEqual([]);
    expect(tail.err()).toBe('');
  });
});
