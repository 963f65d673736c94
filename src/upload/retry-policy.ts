/** When to try again after a failed attempt: capped exponential backoff with jitter (rate limits: rate-limits.ts). */

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
