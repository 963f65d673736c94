import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** electron-log's rotation: main.old.log is replaced by main.log, and a new main.log begins. */
function rotateElectronLog(dir: string): void {
  rmSync(path.join(dir, 'main.old.log'), { force: true });
  renameSync(path.join(dir, 'main.log'), path.join(dir, 'main.old.log'));
}

/** Numbered rename rotation: main.1.log → main.2.log, then main.log → main.1.log. */
function rotateNumbered(dir: string): void {
  try {
    renameSync(path.join(dir, 'main.1.log'), path.join(dir, 'main.2.log'));
  } catch {
    // first rotation: no main.1.log yet
  }
  renameSync(path.join(dir, 'main.log'), path.join(dir, 'main.1.log'));
}

const shapes = [
  ['main.log → main.old.log (electron-log)', rotateElectronLog],
  ['main.log → main.1.log (numbered)', rotateNumbered],
] as const;

describe('following a rename rotation by file identity', () => {
  it.each(shapes)('%s: every line once, none again after the rotation', { timeout: 30_000 }, async (_, rotate) => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, 'before start\n');
    const f = startFollowing(tmp.dir);
    await f.live();
    appendFileSync(main, 'a1\na2\n');
    await waitFor(() => f.texts().length >= 2, 'a1 a2');
    rotate(tmp.dir);
    writeFileSync(main, 'b1\n');
    appendFileSync(main, 'b2\n');
    await waitFor(() => f.texts().length >= 4, 'b1 b2');
    rotate(tmp.dir);
    writeFileSync(main, 'c1\n');
    await waitFor(() => f.texts().length >= 5, 'c1');
    await f.settle();
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    expect(f.errors).toEqual([]);
  });

  it.each(shapes)('%s between two polls: the old file is read to its end under its new name, then the new one', { timeout: 30_000 }, async (_, rotate) => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, 'old 1\nold 2\n');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    appendFileSync(main, 'old 3\n');
    rotate(tmp.dir);
    writeFileSync(main, 'new 1\n');
    await advanceAndCatchUp(f, clock, 100);
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    expect(f.lines.map((l) => [l.source, l.text])).toEqual([
      [rotate === rotateElectronLog ? 'main.old.log' : 'main.1.log', 'old 3'],
      ['main.log', 'new 1'],
    ]);
  });

  it('a file renamed out of the listing (main.log → main.log.1) is read to its end, then let go', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, 'old 1\n');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, watch: false, pollMs: 100 });
    await f.live();
    appendFileSync(main, 'last words\n');
    renameSync(main, `${main}.1`);
    writeFileSync(main, 'new 1\n');
    await advanceAndCatchUp(f, clock, 100);
    appendFileSync(`${main}.1`, 'written after it left\n');
    await advanceAndCatchUp(f, clock, 100);
    await f.stop();
    expect(f.texts()).toEqual(['last words', 'new 1']);
  });
});

describe('codex-diag tail -f across rename rotations (real process)', () => {
  it.each(shapes)('%s: prints each line once', { timeout: 60_000 }, async (_, rotate) => {
    const main = path.join(tmp.dir, 'main.log');
    writeFileSync(main, 'start 1\nstart 2\n');
    const tail = startTailProcess(tmp.dir, ['-n', '1']);
    await waitFor(() => tail.out().startsWith('start 2\n'), 'the initial line', 20_000);
    await tail.settle();
    for (const round of ['r1', 'r2', 'r3']) {
      appendFileSync(main, `${round} last\n`);
      rotate(tmp.dir);
      writeFileSync(main, `${round} first\n`);
      await waitFor(() => tail.texts().includes(`${round} first`), `${round}`, 20_000);
    }
    await tail.settle();
    expect(await tail.stop()).toBe(0);
    expect(tail.texts()).toEqual(['start 2', 'r1 last', 'r1 first', 'r2 last', 'r2 first', 'r3 last', 'r3 first']);
    expect(tail.err()).toBe('');
  });
});
