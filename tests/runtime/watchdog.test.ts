import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { HeartbeatWatchdog } from '../../src/runtime/heartbeat-watchdog.js';
import type { MissedHeartbeat } from '../../src/runtime/heartbeat-watchdog.js';
import { ManualClock } from '../helpers/manual-clock.js';

beforeEach(() => vi.useFakeTimers({ now: 10_000 }));
afterEach(() => vi.useRealTimers());

function watchdog() {
  const missed: MissedHeartbeat[] = [];
  const recovered: unknown[] = [];
  const w = new HeartbeatWatchdog({ clock: systemClock, timeoutMs: 5_000, onMissed: (m) => missed.push(m), onRecovered: (r) => recovered.push(r) });
  return { w, missed, recovered };
}

describe('HeartbeatWatchdog', () => {
  it('watches nothing until a renderer beats', () => {
    const { w, missed } = watchdog();
    vi.advanceTimersByTime(60_000);
    expect(missed).toEqual([]);
    expect(w.isWatching(1)).toBe(false);
  });

  it('keeps quiet while beats arrive within the timeout', () => {
    const { w, missed } = watchdog();
    for (let i = 0; i < 10; i++) {
      w.beat(1);
      vi.advanceTimersByTime(4_000);
    }
    expect(missed).toEqual([]);
  });

  it('reports silence beyond the timeout once per hang, and re-arms on the next beat', () => {
    const { w, missed, recovered } = watchdog();
    w.beat(1);
    vi.advanceTimersByTime(5_000);
    vi.advanceTimersByTime(30_000);
    expect(missed).toEqual([{ webContentsId: 1, lastBeatAt: 10_000, silentForMs: 5_000 }]);
    w.beat(1);
    expect(recovered).toEqual([{ webContentsId: 1, silentForMs: 35_000 }]);
    vi.advanceTimersByTime(5_000);
    expect(missed).toHaveLength(2);
  });

  it('stops watching a forgotten renderer', () => {
    const { w, missed } = watchdog();
    w.beat(1);
    w.forget(1);
    vi.advanceTimersByTime(10_000);
    expect(missed).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not let a throwing handler escape', () => {
    const faults: unknown[] = [];
    const w = new HeartbeatWatchdog({ clock: systemClock, timeoutMs: 100, onMissed: () => { throw new Error('boom'); }, onFault: (e) => faults.push(e) });
    w.beat(2);
    expect(() => vi.advanceTimersByTime(100)).not.toThrow();
    expect(faults).toHaveLength(1);
  });
});

describe('HeartbeatWatchdog pauses', () => {
  function watchdog() {
    const clock = new ManualClock();
    const missed: MissedHeartbeat[] = [];
    const dog = new HeartbeatWatchdog({ clock, timeoutMs: 5_000, onMissed: (m) => missed.push(m) });
    return { clock, missed, dog };
  }

  it('a machine that sleeps past the timeout is not a hang; silence counts again from resume', () => {
    const { clock, missed, dog } = watchdog();
    dog.beat(1);
    clock.advance(1_000);
    dog.pause('suspend');
    clock.advance(60 * 60_000); // an hour asleep
    dog.resume('suspend');
    clock.advance(4_999);
    expect(missed).toEqual([]);
    clock.advance(1);
    expect(missed).toHaveLength(1);
  });

  it('overlapping reasons: resumes only when the last one ends; a hidden window pauses only its renderer', () => {
    const { clock, missed, dog } = watchdog();
    dog.beat(1);
    dog.beat(2);
    dog.pause('suspend');
    dog.pause('lock-screen');
    dog.resume('suspend');
    clock.advance(10_000);
    expect(missed).toEqual([]);
    dog.resume('lock-screen');
    dog.pause('hidden', 2);
    clock.advance(5_000);
    expect(missed.map((m) => m.webContentsId)).toEqual([1]);
    dog.resume('hidden', 2);
    clock.advance(5_000);
    expect(missed.map((m) => m.webContentsId)).toEqual([1, 2]);
  });

  it('a resume without a pause changes nothing', () => {
    const { clock, missed, dog } = watchdog();
    dog.beat(1);
    clock.advance(4_000);
    dog.resume('suspend');
    clock.advance(1_000);
    expect(missed).toHaveLength(1);
  });
});
