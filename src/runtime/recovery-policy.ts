/** How a crashed renderer is reloaded (DESIGN.md "Embed API": `recovery` option). */
export interface RecoveryPolicy {
  /** Reloads allowed within `windowMs`; past it the window is left as it is. */
  maxReloads: number;
  /** Delay before the first reload; doubles for each further attempt in the window. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The window of time `maxReloads` counts over. */
  windowMs: number;
  /** A load that stays up this long after `did-finish-load` resets the count. */
  stableMs: number;
  /** 0 (none) to 1: the share of each delay that is randomised downwards. */
  jitter: number;
  /** `render-process-gone` reasons that never trigger a reload. */
  skipReasons: readonly string[];
}

export const defaultRecoveryPolicy: RecoveryPolicy = {
  maxReloads: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  windowMs: 5 * 60_000,
  stableMs: 30_000,
  jitter: 0,
  skipReasons: ['clean-exit'],
};

/**
 * Capped exponential backoff: base * 2^attempt, capped, then a random share (jitter) taken
 * off so windows that crashed together do not reload in lockstep, never exceeding the cap.
 */
export function recoveryDelayMs(policy: RecoveryPolicy, attemptIndex: number, random: () => number): number {
  const exponential = policy.baseDelayMs * 2 ** Math.min(attemptIndex, 30);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(capped * (1 - jitter * random()));
}
