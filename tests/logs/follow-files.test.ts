import { appendFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { advanceAndCatchUp, startFollowing } from './follow-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('truncation', () => {
  it('a truncated file is read again from its start; the unfinished line it held is emitted first', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'old 1\n');
    const f = startFollowing(tmp.dir);
    await f.live();
    appendFileSync(file, 'old 2\nold, unfinish');
    await waitFor(() => f.texts().length === 1, 'old 2');
    truncateSync(file, 0);
    await f.settle();
    appendFileSync(file, 'new 1\n');
    await waitFor(() => f.texts().length === 3, 'new 1');
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['old 2', 'old, unfinish', 'new 1']);
    expect(f.errors).toEqual([]);
  });

  it('truncated and written again to a shorter length between two polls: the new bytes, once', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'a long old line\nanother old line\n');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    writeFileSync(file, 'short\n');
    await advanceAndCatchUp(f, clock, 100);
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    expect(f.texts()).toEqual(['short']);
  });
});

describe('deletion', () => {
  it('lines written just before a deletion are still read (through the open file), then a recreated file from its start', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'seen at start\n');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    appendFileSync(file, 'last words\n');
    unlinkSync(file);
    writeFileSync(file, 'reborn 1\n');
    await advanceAndCatchUp(f, clock, 100);
    appendFileSync(file, 'reborn 2\n');
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    expect(f.texts()).toEqual(['last words', 'reborn 1', 'reborn 2']);
  });

  it('deleted and recreated while watched: nothing lost, nothing repeated', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'seen at start\n');
    const f = startFollowing(tmp.dir);
    await f.live();
    for (let round = 1; round <= 5; round++) {
      appendFileSync(file, `round ${round} a\nround ${round} b\n`);
      unlinkSync(file);
      writeFileSync(file, `round ${round} after\n`);
      await waitFor(() => f.texts().includes(`round ${round} after`), `round ${round}`);
    }
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual([1, 2, 3, 4, 5].flatMap((r) => [`round ${r} a`, `round ${r} b`, `round ${r} after`]));
    expect(f.errors).toEqual([]);
  });
});
