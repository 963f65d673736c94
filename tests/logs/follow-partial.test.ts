import { appendFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARTIAL_LINE_IDLE_MS } from '../../src/logs/follow.js';
import { levelRank, parseLogLine } from '../../src/logs/parse-line.js';
import type { TailLine } from '../../src/logs/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { PROBE_FILE, startFollowing, startTailProcess } from './follow-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

const warnOrAbove = (line: TailLine) => levelRank(parseLogLine(line).level) >= levelRank('warn');

describe('an unfinished line is held until its newline', () => {
  it('a line written in two writes seconds apart is one record, and passes a warn filter whole', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, '');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, accept: (line) => line.source === PROBE_FILE || warnOrAbove(line) });
    await f.live();
    appendFileSync(file, '2026-11-21T09:00:00Z err');
    await f.settle();
    // Two seconds pass between the writes: less than the idle time, so the line stays held.
    clock.advance(2000);
    await f.settle();
    appendFileSync(file, 'or disk full\n');
    await waitFor(() => f.texts().length >= 1, 'the whole line');
    await f.settle();
    await f.stop();
    expect(f.texts()).toEqual(['2026-11-21T09:00:00Z error disk full']);
    expect(DEFAULT_PARTIAL_LINE_IDLE_MS).toBeGreaterThanOrEqual(3000);
  });

  it('is emitted once its file has been idle for the idle time, not a moment before (fake clock)', { timeout: 30_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, 'done\n');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock });
    await f.live();
    appendFileSync(file, 'still typing');
    await f.settle();
    clock.advance(DEFAULT_PARTIAL_LINE_IDLE_MS - 1);
    await f.settle();
    expect(f.texts()).toEqual([]);
    clock.advance(1);
    await waitFor(() => f.texts().length === 1, 'the idle line');
    expect(f.texts()).toEqual(['still typing']);
    // What comes after it is a line of its own.
    appendFileSync(file, ' and more\n');
    await waitFor(() => f.texts().length === 2, 'the rest');
    await f.stop();
    expect(f.texts()).toEqual(['still typing', ' and more']);
  });

  it('an unfinished line present at start is held too, and emitted at idle', { timeout: 30_000 }, async () => {
    writeFileSync(path.join(tmp.dir, 'app.log'), 'one\ntwo\nthree, unfinish');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock, initialLines: 1 });
    await f.live();
    await f.settle();
    expect(f.texts()).toEqual(['two']);
    appendFileSync(path.join(tmp.dir, 'app.log'), 'ed\n');
    await waitFor(() => f.texts().length === 2, 'the completed line');
    await f.stop();
    expect(f.texts()).toEqual(['two', 'three, unfinished']);
  });

  it('is emitted when its file is rotated away (renamed) or deleted, and at stop', { timeout: 30_000 }, async () => {
    const main = path.join(tmp.dir, 'main.log');
    const other = path.join(tmp.dir, 'other.log');
    const last = path.join(tmp.dir, 'last.log');
    writeFileSync(main, '');
    writeFileSync(other, '');
    writeFileSync(last, '');
    const clock = new ManualClock();
    const f = startFollowing(tmp.dir, { clock });
    await f.live();
    appendFileSync(main, 'main, cut short');
    appendFileSync(other, 'other, cut short');
    appendFileSync(last, 'last, cut short');
    await f.settle();
    expect(f.texts()).toEqual([]);
    renameSync(main, path.join(tmp.dir, 'main.old.log'));
    writeFileSync(main, 'main again\n');
    await waitFor(() => f.texts().length === 2, 'the rotated line');
    unlinkSync(other);
    await waitFor(() => f.texts().length === 3, 'the deleted file line');
    await f.stop();
    expect(f.lines.filter((l) => l.source !== 'zz-probe.log')).toEqual([
      { source: 'main.old.log', text: 'main, cut short' },
      { source: 'main.log', text: 'main again' },
      { source: 'other.log', text: 'other, cut short' },
      { source: 'last.log', text: 'last, cut short' },
    ]);
  });
});

describe('codex-diag tail -f --level warn (real process)', () => {
  it('prints an error line written in two writes once, whole', { timeout: 60_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, '2026-11-21T08:59:59Z info up\n');
    const tail = startTailProcess(tmp.dir, ['-n', '0', '--level', 'warn', '--json']);
    const probeLevel = '2026-11-21T09:00:00Z warning ';
    await tail.settle(probeLevel);
    appendFileSync(file, '2026-11-21T09:00:01Z err');
    await tail.settle(probeLevel);
    appendFileSync(file, 'or disk full\n');
    await waitFor(() => tail.texts().length === 1, 'the error line', 20_000);
    await tail.settle(probeLevel);
    expect(await tail.stop()).toBe(0);
    expect(tail.texts().map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2026-11-21T09:00:01.000Z', level: 'error', msg: 'disk full', source: 'app.log', line: '2026-11-21T09:00:01Z error disk full' },
    ]);
  });
});
