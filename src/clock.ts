/** The time source every module takes as an injectable edge, so tests can drive time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest delay a Node timer honours (2^31 - 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A delay a timer honours: 0 to MAX_TIMER_MS. Node fires a longer (or NaN) delay after 1 ms, with a
 * TimeoutOverflowWarning, so a timer re-armed from such a value would spin; past the maximum it
 * fires at the maximum instead, and its owner looks again then.
 */
export function clampTimerDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_MS;
  return Math.min(Math.max(ms, 0), MAX_TIMER_MS);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, clampTimerDelay(ms));
    // Diagnostics timers must never keep the host process alive.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
