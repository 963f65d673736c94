import { describe, expect, it } from 'vitest';
import { CrashLoopLimiter, DEFAULT_CRASH_LOOP_WINDOW_MS } from '../../src/incidents/crash-loop-limiter.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const MIN = 60_000;

describe('CrashLoopLimiter', () => {
  it('bundles the first occurrence, counts the rest of the window, and carries the count into the next bundle', () => {
    const clock = fakeClock();
    const limiter = new CrashLoopLimiter({ clock });
    expect(limiter.windowMs).toBe(DEFAULT_CRASH_LOOP_WINDOW_MS);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: true, suppressedSinceLast: 0 });
    clock.advance(1 * MIN);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: false, suppressedSinceLast: 1 });
    clock.advance(8 * MIN);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: false, suppressedSinceLast: 2 });
    expect(limiter.pending('fp1-a')).toBe(2);
    clock.advance(1 * MIN); // exactly 10 minutes after the bundle: a new window
    expect(limiter.admit('fp1-a')).toEqual({ bundle: true, suppressedSinceLast: 2 });
    expect(limiter.pending('fp1-a')).toBe(0);
    clock.advance(11 * MIN);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: true, suppressedSinceLast: 0 });
  });

  it('keeps fingerprints apart', () => {
    const clock = fakeClock();
    const limiter = new CrashLoopLimiter({ clock });
    expect(limiter.admit('fp1-a').bundle).toBe(true);
    expect(limiter.admit('fp1-b').bundle).toBe(true);
    expect(limiter.admit('fp1-a').bundle).toBe(false);
    expect(limiter.admit('fp1-b').bundle).toBe(false);
  });

  it('does not slide the window: a loop that never stops still bundles once per window', () => {
    const clock = fakeClock();
    const limiter = new CrashLoopLimiter({ clock, windowMs: 10 * MIN });
    let bundles = 0;
    for (let i = 0; i < 60; i += 1) {
      if (limiter.admit('fp1-loop').bundle) bundles += 1;
      clock.advance(MIN / 2); // a crash every 30 s for 30 minutes
    }
    expect(bundles).toBe(3);
  });

  it('takes an explicit time and opens a new window when the clock went backwards', () => {
    const limiter = new CrashLoopLimiter({ clock: { now: () => 0 } });
    expect(limiter.admit('fp1-a', 5 * MIN).bundle).toBe(true);
    expect(limiter.admit('fp1-a', 6 * MIN).bundle).toBe(false);
    expect(limiter.admit('fp1-a', 1 * MIN)).toEqual({ bundle: true, suppressedSinceLast: 1 });
  });

  it('stays bounded, forgetting expired fingerprints first', () => {
    const clock = fakeClock();
    const limiter = new CrashLoopLimiter({ clock, maxTracked: 3 });
    limiter.admit('old-1');
    limiter.admit('old-2');
    clock.advance(20 * MIN);
    limiter.admit('live');
    limiter.admit('live'); // suppressed: must survive pruning
    limiter.admit('new-1');
    limiter.admit('new-2');
    expect(limiter.pending('live')).toBe(1);
    expect(limiter.admit('new-2').bundle).toBe(false);
  });
});

describe('CrashLoopLimiter.restore', () => {
  it('continues a window and its count from journal records after a restart', () => {
    const t0 = Date.UTC(2026, 10, 21, 0, 0, 0);
    const clock = fakeClock(t0 + 3 * MIN);
    const limiter = new CrashLoopLimiter({ clock });
    limiter.restore([
      { fingerprint: 'fp1-a', occurredAt: new Date(t0).toISOString(), bundled: true },
      { fingerprint: 'fp1-a', occurredAt: new Date(t0 + MIN).toISOString(), bundled: false },
      { fingerprint: 'fp1-b', occurredAt: t0 - 60 * MIN, bundled: false }, // its bundle rotated out of the journal
      { fingerprint: 'fp1-c', occurredAt: 'not a time', bundled: true },
    ]);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: false, suppressedSinceLast: 2 });
    expect(limiter.admit('fp1-b')).toEqual({ bundle: true, suppressedSinceLast: 1 });
    expect(limiter.admit('fp1-c')).toEqual({ bundle: true, suppressedSinceLast: 0 });
    clock.advance(7 * MIN);
    expect(limiter.admit('fp1-a')).toEqual({ bundle: true, suppressedSinceLast: 2 });
  });
});
