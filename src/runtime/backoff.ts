/**
 * Capped exponential backoff: base * 2^attemptIndex, capped at maxMs, then a random share (jitter,
 * 0 to 1) taken off so processes that failed together do not retry in lockstep; never above the cap.
 */
export function backoffDelayMs(baseMs: number, maxMs: number, jitter: number, attemptIndex: number, random: () => number): number {
  // 2 ** 30 already exceeds any sane cap; bounding the exponent keeps the product finite.
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attemptIndex, 30));
  return Math.round(capped * (1 - clampUnit(jitter) * clampUnit(random())));
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}
