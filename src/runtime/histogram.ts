/**
 * A log-linear latency histogram (the HdrHistogram layout, fixed precision): values are kept in whole
 * microseconds; below 64 µs every value has its own bucket, above that each power of two is split into
 * 32 equal sub-buckets, so a bucket is at most 1/32 of its value wide and the midpoint we report is
 * within ~1.6% of any value in it. 896 buckets cover 0 µs to 2^32 µs (71 min); larger values clamp to
 * the top bucket (the exact max is tracked beside the histogram).
 *
 * Hand-written rather than a dependency: no histogram package is installed here (and we may not add
 * one), and the whole thing is an index function plus a Uint32Array, which keeps record() at a few
 * integer operations with no allocation.
 */

/** Sub-buckets per power of two, as a bit count: 2^5 = 32, relative bucket width <= 1/32. */
const SUB_BITS = 5;
const SUB_COUNT = 1 << SUB_BITS;
/** Largest tracked value in µs (2^32 - 1); Math.clz32 needs 32-bit input. */
const MAX_MICROS = 0xffffffff;

// Index = shift * 32 + mantissa with shift <= 26 and mantissa <= 63, so the top index is 895.
export const HISTOGRAM_BUCKETS = (32 - SUB_BITS + 1) * SUB_COUNT; // 896

/** Bucket index of a duration in milliseconds (negative and NaN clamp to 0). */
export function bucketIndex(durationMs: number): number {
  let micros = Math.round(durationMs * 1000);
  if (!(micros > 0)) return 0;
  if (micros > MAX_MICROS) micros = MAX_MICROS;
  if (micros < 2 * SUB_COUNT) return micros;
  const exponent = 31 - Math.clz32(micros);
  const shift = exponent - SUB_BITS;
  // mantissa in [32, 63]; exponent 5 would give index == micros, so the layout is continuous.
  return shift * SUB_COUNT + (micros >>> shift);
}

/** Lowest µs value that lands in bucket `index`. */
export function bucketLowMicros(index: number): number {
  if (index < 2 * SUB_COUNT) return index;
  const shift = Math.floor(index / SUB_COUNT) - 1;
  const mantissa = (index % SUB_COUNT) + SUB_COUNT;
  return mantissa * 2 ** shift;
}

/** Representative value of bucket `index`, in ms: exact in the linear range, else the midpoint. */
export function bucketValueMs(index: number): number {
  const low = bucketLowMicros(index);
  if (index < 2 * SUB_COUNT) return low / 1000;
  const width = bucketLowMicros(index + 1) - low;
  return (low + (width - 1) / 2) / 1000;
}

export function createCounts(): Uint32Array {
  return new Uint32Array(HISTOGRAM_BUCKETS);
}

/**
 * The value at quantile q (0..1) of `counts` holding `total` values, by nearest rank (the value of
 * the ceil(q * total)-th smallest, as a sorted array would give), clamped to the exact `maxMs`.
 */
export function quantileMs(counts: Uint32Array, total: number, q: number, maxMs: number): number {
  if (total <= 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return Math.min(bucketValueMs(i), maxMs);
  }
  return maxMs;
}
