import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { RecoveryController } from '../../src/runtime/recovery-controller.js';
import type { RecoveryAttempt } from '../../src/runtime/recovery-controller.js';
import { defaultRecoveryPolicy, recoveryDelayMs } from '../../src/runtime/recovery-policy.js';
import type { RecoveryPolicy } from '../../src/runtime/recovery-policy.js';

const policy: RecoveryPolicy = { ...defaultRecoveryPolicy, maxReloads: 3, baseDelayMs: 500, maxDelayMs: 1_500, windowMs: 60_000, stableMs: 10_000 };

function setup(overrides: Partial<RecoveryPolicy> = {}) {
  const state = { quitting: false, destroyed: false, reloads: 0 };
  const attempts: RecoveryAttempt[] = [];
  const gaveUp: unknown[] = [];
  const controller = new RecoveryController({
    clock: systemClock,
    policy: { ...policy, ...overrides },
    target: { isQuitting: () => state.quitting, isDestroyed: () => state.destroyed, reload: () => void state.reloads++ },
    onAttempt: (a) => attempts.push(a),
    onGaveUp: (info) => gaveUp.push(info),
  });
  return { state, attempts, gaveUp, controller };
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('RecoveryController', () => {
  it('reloads after a delay that doubles per attempt, capped, and records every attempt', () => {
    const { state, attempts, controller } = setup();
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toEqual({ action: 'reload-scheduled', attempt: 1, delayMs: 500 });
    vi.advanceTimersByTime(499);
    expect(state.reloads).toBe(0);
    vi.advanceTimersByTime(1);
    expect(state.reloads).toBe(1);
    expect(controller.maybeRecoverFromRendererCrash('oom')).toMatchObject({ attempt: 2, delayMs: 1_000 });
    vi.advanceTimersByTime(1_000);
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toMatchObject({ attempt: 3, delayMs: 1_500 });
    vi.advanceTimersByTime(1_500);
    expect(state.reloads).toBe(3);
    expect(attempts.map((a) => [a.attempt, a.delayMs, a.reason, a.at])).toEqual([
      [1, 500, 'crashed', 1_000_500],
      [2, 1_000, 'oom', 1_001_500],
      [3, 1_500, 'crashed', 1_003_000],
    ]);
  });

  it('gives up once maxReloads is reached within the window, reporting it once, and tries again after the window', () => {
    const { state, gaveUp, controller } = setup();
    for (let i = 0; i < 3; i++) {
      controller.maybeRecoverFromRendererCrash('crashed');
      vi.advanceTimersByTime(2_000);
    }
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toEqual({ action: 'gave-up', attempts: 3, windowMs: 60_000 });
    expect(controller.maybeRecoverFromRendererCrash('crashed').action).toBe('gave-up');
    vi.advanceTimersByTime(10_000);
    expect(state.reloads).toBe(3);
    expect(gaveUp).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toMatchObject({ action: 'reload-scheduled', attempt: 1, delayMs: 500 });
  });

  it('resets the count after a load that stays up for the stable period, not before', () => {
    const { controller } = setup();
    controller.maybeRecoverFromRendererCrash('crashed');
    vi.advanceTimersByTime(500);
    controller.maybeRecoverFromRendererCrash('crashed');
    vi.advanceTimersByTime(1_000);
    controller.loadFinished();
    vi.advanceTimersByTime(9_999);
    // a crash just before the stable period ends keeps the count (and the backoff)
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toMatchObject({ attempt: 3, delayMs: 1_500 });
    vi.advanceTimersByTime(1_500);
    controller.loadFinished();
    vi.advanceTimersByTime(10_000);
    expect(controller.attemptCount).toBe(0);
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  it('never reloads for clean-exit, while quitting, or for a destroyed window', () => {
    const { state, controller } = setup();
    expect(controller.maybeRecoverFromRendererCrash('clean-exit')).toEqual({ action: 'skipped', why: 'skip-reason' });
    state.quitting = true;
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toEqual({ action: 'skipped', why: 'quitting' });
    state.quitting = false;
    state.destroyed = true;
    expect(controller.maybeRecoverFromRendererCrash('crashed')).toEqual({ action: 'skipped', why: 'destroyed' });
    vi.advanceTimersByTime(60_000);
    expect(state.reloads).toBe(0);
  });

  it('does not reload when the app starts quitting or the window closes during the delay', () => {
    const { state, attempts, controller } = setup();
    controller.maybeRecoverFromRendererCrash('crashed');
    state.quitting = true;
    vi.advanceTimersByTime(1_000);
    expect(state.reloads).toBe(0);
    expect(attempts).toEqual([]);
  });

  it('stops its timers on dispose', () => {
    const { state, controller } = setup();
    controller.maybeRecoverFromRendererCrash('crashed');
    controller.dispose();
    vi.advanceTimersByTime(10_000);
    expect(state.reloads).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a reload that throws from escaping', () => {
    const faults: unknown[] = [];
    const controller = new RecoveryController({
      clock: systemClock,
      policy,
      target: { isQuitting: () => false, isDestroyed: () => false, reload: () => { throw new Error('gone'); } },
      onFault: (e) => faults.push(e),
    });
    controller.maybeRecoverFromRendererCrash('crashed');
    expect(() => vi.advanceTimersByTime(500)).not.toThrow();
    expect(faults).toHaveLength(1);
  });
});

describe('recoveryDelayMs', () => {
  it('takes a random share of the delay off with jitter, never exceeding the cap', () => {
    const p = { ...policy, jitter: 0.5 };
    expect(recoveryDelayMs(p, 0, () => 0)).toBe(500);
    expect(recoveryDelayMs(p, 0, () => 1)).toBe(250);
    expect(recoveryDelayMs(p, 10, () => 0)).toBe(1_500);
    expect(recoveryDelayMs(p, 1_000, () => 0.5)).toBe(1_125);
  });
});
