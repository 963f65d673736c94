import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { boundCrashDir, findDumpForIncident, processTypeOf, summariseMinidump } from '../../src/minidump/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from './helpers.js';

/** A clock whose timers fire on the next turn with time moved forward by their delay: no waiting, no wall clock. */
function steppingClock(start: number): Clock & { waits: number } {
  let now = start;
  const clock = {
    waits: 0,
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      clock.waits++;
      now += ms;
      return setImmediate(fn);
    },
    clearTimeout: (handle: unknown) => clearImmediate(handle as NodeJS.Immediate),
  };
  return clock;
}

const T0 = Date.parse('2026-11-21T09:00:00Z');

describe('finding the dump of an incident', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  async function place(fixture: string, sub: string, name: string, mtimeMs: number): Promise<string> {
    const file = path.join(dir, sub, name);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.copyFile(fixture, file);
    await fsp.utimes(file, mtimeMs / 1000, mtimeMs / 1000);
    return file;
  }

  it('matches process type and pid from the annotations, then waits until the size is stable', async () => {
    const rendererPid = Number(summariseMinidump(await fsp.readFile(FIXTURES.renderer)).annotations.pid);
    const renderer = await place(FIXTURES.renderer, 'pending', 'a.dmp', T0 + 1_000);
    await place(FIXTURES.gpu, 'completed', 'b.dmp', T0 + 500);
    await fsp.writeFile(path.join(dir, 'pending', 'junk.dmp'), 'not a dump');
    const clock = steppingClock(T0 + 2_000);
    const found = await findDumpForIncident(dir, { processType: 'renderer', pid: rendererPid, occurredAt: T0 }, { clock });
    expect(found).toMatchObject({ file: renderer, processType: 'renderer', pid: rendererPid, matchedBy: 'pid' });
    expect(clock.waits).toBeGreaterThanOrEqual(1);
    const gpu = await findDumpForIncident(dir, { processType: 'gpu-process', occurredAt: T0 }, { clock });
    expect(gpu).toMatchObject({ processType: 'gpu-process', matchedBy: 'time' });
  });

  it('another pid, another process type or a dump from another time is no match: null at the deadline', async () => {
    await place(FIXTURES.renderer, 'pending', 'a.dmp', T0);
    const clock = steppingClock(T0);
    expect(await findDumpForIncident(dir, { processType: 'renderer', pid: 1, occurredAt: T0 }, { clock, deadlineMs: 1_000 })).toBeNull();
    expect(await findDumpForIncident(dir, { processType: 'utility', occurredAt: T0 }, { clock, deadlineMs: 1_000 })).toBeNull();
    expect(await findDumpForIncident(dir, { processType: 'renderer', occurredAt: T0 + 3_600_000 }, { clock, deadlineMs: 1_000 })).toBeNull();
    expect(await findDumpForIncident(path.join(dir, 'missing'), { processType: 'renderer', occurredAt: T0 }, { clock, deadlineMs: 1_000 })).toBeNull();
  });

  it('a dump still growing is returned only once it has stopped', async () => {
    const full = await fsp.readFile(FIXTURES.renderer);
    const file = path.join(dir, 'pending', 'growing.dmp');
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, full.subarray(0, 4096));
    let polls = 0;
    const clock = steppingClock(T0);
    const setTimeout = clock.setTimeout;
    // Each wait, Crashpad writes some more, until the file is whole.
    clock.setTimeout = (fn, ms) =>
      setTimeout(() => {
        polls++;
        const size = Math.min(full.length, 4096 * (polls + 1) * 8);
        fsp.writeFile(file, full.subarray(0, size)).then(fn, fn);
      }, ms);
    const found = await findDumpForIncident(dir, { processType: 'renderer', occurredAt: Date.now() }, { clock, deadlineMs: 60_000 });
    expect(found?.bytes).toBe(full.length);
  });

  it('maps incidents to Crashpad process types', () => {
    expect(processTypeOf({ kind: 'render-process-gone' })).toBe('renderer');
    expect(processTypeOf({ kind: 'child-process-gone', type: 'GPU' })).toBe('gpu-process');
    expect(processTypeOf({ kind: 'child-process-gone', type: 'Utility' })).toBe('utility');
    expect(processTypeOf({ kind: 'sidecar-exit' })).toBeNull();
  });
});

describe('keeping the crash dumps dir bounded', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  async function dumps(count: number, bytes: number, ageStepMs: number): Promise<string[]> {
    await fsp.mkdir(path.join(dir, 'completed'), { recursive: true });
    const files: string[] = [];
    for (let i = 0; i < count; i++) {
      const file = path.join(dir, 'completed', `d${String(i).padStart(2, '0')}.dmp`);
      await fsp.writeFile(file, Buffer.alloc(bytes));
      await fsp.writeFile(file.replace(/\.dmp$/, '.meta'), 'meta');
      const at = (T0 - (count - i) * ageStepMs) / 1000;
      await fsp.utimes(file, at, at);
      files.push(file);
    }
    return files;
  }

  it('deletes bundled dumps, then the too old, then the oldest past the count and bytes bounds, each counted', async () => {
    const files = await dumps(8, 1000, 24 * 3600_000);
    const result = await boundCrashDir(dir, { now: T0, bundled: new Set([files[7]!]), bounds: { maxDumps: 4, maxBytes: 3500, maxAgeMs: 6.5 * 24 * 3600_000 } });
    expect(result.deleted.map((d) => [path.basename(d.file), d.reason])).toEqual([
      ['d00.dmp', 'age'],
      ['d01.dmp', 'age'],
      ['d07.dmp', 'bundled'],
      ['d02.dmp', 'count'],
      ['d03.dmp', 'bytes'],
    ]);
    expect(result.kept).toBe(3);
    expect(result.keptBytes).toBe(3000);
    const left = (await fsp.readdir(path.join(dir, 'completed'))).sort();
    expect(left).toEqual(['d04.dmp', 'd04.meta', 'd05.dmp', 'd05.meta', 'd06.dmp', 'd06.meta']);
  });

  it('within bounds nothing is deleted', async () => {
    await dumps(3, 100, 1000);
    const result = await boundCrashDir(dir, { now: T0 });
    expect(result.deleted).toEqual([]);
    expect(result.kept).toBe(3);
  });
});
