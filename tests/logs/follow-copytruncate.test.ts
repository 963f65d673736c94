import { appendFileSync, closeSync, copyFileSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { advanceAndCatchUp, startFollowing, startTailProcess } from './follow-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

/**
 * logrotate's `copytruncate`: the file is copied to `copy`, then truncated to 0 in place (same inode),
 * and the writer goes on writing into it. `main.log.1` is logrotate's default name (not a log name to
 * discovery); with `extension .log` the copy is `main.1.log`, a new log file holding lines already shown.
 */
function copyTruncate(dir: string, copy: string): void {
  copyFileSync(path.join(dir, 'main.log'), path.join(dir, copy));
  truncateSync(path.join(dir, 'main.log'), 0);
}

const copies = ['main.1.log', 'main.log.1', 'main-20261130.log'];

// A line longer than the 256 bytes the follower compares, as pino lines often are, its text at both ends.
const line = (text: string) => `${text} ${'x'.repeat(300)} ${text}`;

describe('following a copytruncate rotation', () => {
  it.each(copies)('copy %s: old lines are not printed again, new lines after the truncation are', { timeout: 30_000 }, async (copy) => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `${line('before start')}\n`);
    const f = startFollowing(tmp.dir);
    await f.live();
    appendFileSync(main, `${line('a1')}\n${line('a2')}\n`);
    await waitFor(() => f.texts().length >= 2, 'a1 a2');
    copyTruncate(tmp.dir, copy);
    await f.settle();
    appendFileSync(main, `${line('b1')}\n`);
    appendFileSync(main, `${line('b2')}\n`);
    await waitFor(() => f.texts().length >= 4, 'b1 b2');
    await f.settle();
    // A second rotation: the copy of the truncated file is again a copy of what was shown.
    rmCopy(tmp.dir, copy);
    copyTruncate(tmp.dir, copy);
    appendFileSync(main, `${line('c1')}\n`);
    await waitFor(() => f.texts().length >= 5, 'c1');
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1'].map(line));
    expect(f.errors).toEqual([]);
  });

  it('a copy seen while it is still being written is not printed, not even its first part', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `${line('old 1')}\n${line('old 2')}\n${line('old 3')}\n`);
    const f = startFollowing(tmp.dir, { initialLines: 3 });
    await f.live();
    await waitFor(() => f.texts().length >= 3, 'the initial lines');
    const content = readFileSync(main);
    const fd = openSync(path.join(tmp.dir, 'main.1.log'), 'w');
    writeSync(fd, content.subarray(0, 100)); // shorter than the bytes compared: undecided yet
    await f.settle();
    writeSync(fd, content.subarray(100, 500)); // a copy's beginning: waits for the rest
    await f.settle();
    writeSync(fd, content.subarray(500));
    closeSync(fd);
    truncateSync(main, 0);
    appendFileSync(main, `${line('new 1')}\n`);
    await waitFor(() => f.texts().includes(line('new 1')), 'new 1');
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['old 1', 'old 2', 'old 3', 'new 1'].map(line));
  });

  it('lines written before the copy but not read yet are printed once', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `${line('old 1')}\n`);
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    appendFileSync(main, `${line('unread 1')}\n${line('unread 2')}\n`);
    copyTruncate(tmp.dir, 'main.1.log');
    appendFileSync(main, `${line('new 1')}\n`);
    await advanceAndCatchUp(f, clock, 100);
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    // The copy's lines were written before the truncation, so they come first.
    expect(f.lines.map((l) => [l.source, l.text])).toEqual([
      ['main.1.log', line('unread 1')],
      ['main.1.log', line('unread 2')],
      ['main.log', line('new 1')],
    ]);
  });

  it('a new file that only begins like a followed one is printed whole', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `${line('same start')}\n${line('main 2')}\n`);
    const f = startFollowing(tmp.dir);
    await f.live();
    writeFileSync(path.join(tmp.dir, 'other.log'), `${line('same start')}\n${line('other 2')}\n`);
    await waitFor(() => f.texts().length >= 2, 'other.log');
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['same start', 'other 2'].map(line));
  });

  it('a new file that begins like a followed one and stops short is printed once it has not grown for the idle time', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `first\nsecond\n${line('third')}\n`);
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100, partialLineIdleMs: 1000 });
    await f.live();
    writeFileSync(path.join(tmp.dir, 'other.log'), 'first\n');
    await advanceAndCatchUp(f, clock, 100);
    expect(f.texts()).toEqual([]);
    await advanceAndCatchUp(f, clock, 1000);
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    expect(f.texts()).toEqual(['first']);
  });
});

describe('codex-diag tail -f across copytruncate rotations (real process)', () => {
  it('prints each line once', { timeout: 60_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, `${line('start 1')}\n${line('start 2')}\n`);
    const tail = startTailProcess(tmp.dir, ['-n', '1']);
    await waitFor(() => tail.out().startsWith(`${line('start 2')}\n`), 'the initial line', 20_000);
    await tail.settle();
    for (const round of ['r1', 'r2', 'r3']) {
      appendFileSync(main, `${line(`${round} last`)}\n`);
      rmCopy(tmp.dir, 'main.1.log');
      copyTruncate(tmp.dir, 'main.1.log');
      appendFileSync(main, `${line(`${round} first`)}\n`);
      await waitFor(() => tail.texts().includes(line(`${round} first`)), round, 20_000);
    }
    await tail.settle();
    expect(await tail.stop()).toBe(0);
    expect(tail.texts()).toEqual(['start 2', 'r1 last', 'r1 first', 'r2 last', 'r2 first', 'r3 last', 'r3 first'].map(line));
    expect(tail.err()).toBe('');
  });
});

/** logrotate removes the oldest copy before it makes the next one. */
function rmCopy(dir: string, copy: string): void {
  rmSync(path.join(dir, copy), { force: true });
}
