/** Size bounds of a bundle (the crash bundle contract's defaults). */
export interface BundleBounds {
  /** Log lines kept, newest last. */
  maxLines: number;
  /** Bytes of one line's text; a longer line is cut with a visible marker. */
  maxLineBytes: number;
  /** Bytes of all entries together (uncompressed, so the zip is always smaller). */
  maxBundleBytes: number;
}

export const DEFAULT_BUNDLE_BOUNDS: Readonly<BundleBounds> = Object.freeze({
  maxLines: 1000,
  maxLineBytes: 64 * 1024,
  // Sentry's per-request limit, read as decimal megabytes so either reading of "20 MB" holds.
  maxBundleBytes: 20_000_000,
});

export function resolveBounds(partial: Partial<BundleBounds> = {}): BundleBounds {
  const pick = (value: number | undefined, fallback: number) =>
    value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
  return {
    maxLines: pick(partial.maxLines, DEFAULT_BUNDLE_BOUNDS.maxLines),
    maxLineBytes: Math.max(1, pick(partial.maxLineBytes, DEFAULT_BUNDLE_BOUNDS.maxLineBytes)),
    maxBundleBytes: pick(partial.maxBundleBytes, DEFAULT_BUNDLE_BOUNDS.maxBundleBytes),
  };
}
