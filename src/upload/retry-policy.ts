/** When to try again: capped exponential backoff with jitter, and Sentry's rate-limit headers. */

export interface BackoffOptions {
  /** First retry after about this long (default 5 s). */
  baseMs?: number;
  /** Never wait longer than this between attempts (default 1 h). */
  maxMs?: number;
}

/**
 * Delay before attempt `attempts + 1`, "equal jitter": half the exponential step fixed, half random,
 * so a fleet of machines that failed together does not retry together, and the wait still grows.
 */
export function backoffDelay(attempts: number, random: () => number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 5_000;
  const max = options.maxMs ?? 60 * 60 * 1000;
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const step = Math.min(max, base * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}

/** Rate limits by data category: the epoch ms until which Sentry said not to send ("all" for every category). */
export type RateLimits = Record<string, number>;

/** The categories one bundle's envelope uses: the event is an "error", the zip and tail.log "attachment"s. */
export const ENVELOPE_CATEGORIES = ['error', 'attachment'] as const;

/** Until when a bundle may not be sent (0 when it may). */
export function blockedUntil(limits: RateLimits, now: number): number {
  let until = 0;
  for (const category of ENVELOPE_CATEGORIES) {
    const limit = limits[category] ?? 0;
    if (limit > until) until = limit;
  }
  const all = limits.all ?? 0;
  if (all > until) until = all;
  return until > now ? until : 0;
}

/** Drops limits that have passed, so the persisted file stays small. */
export function pruneRateLimits(limits: RateLimits, now: number): RateLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, until]) => until > now));
}
