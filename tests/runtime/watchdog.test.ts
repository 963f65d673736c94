import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { HeartbeatWatchdog } from '../../src/runtime/heartbeat-watchdog.js';
import type { MissedHeartbeat } from '../../src/runtime/heartbeat-watchdog.js';

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
