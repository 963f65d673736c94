import { backoffDelayMs } from './backoff.js';

/** How a crashed renderer is reloaded (embed API contract: the `recovery` option). */
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

/** The delay before a reload: windows that crashed together do not reload in lockstep (see backoffDelayMs). */
export function recoveryDelayMs(policy: RecoveryPolicy, attemptIndex: number, random: () => number): number {
  return backoffDelayMs(policy.baseDelayMs, policy.maxDelayMs, policy.jitter, attemptIndex, random);
}
