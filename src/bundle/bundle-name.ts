/** Prefix used in the file name of a bundle exported without an incident. */
export const MANUAL_BUNDLE_PREFIX = 'manual';

/** Characters of the fingerprint kept in a bundle's file name (`fp1-` plus 8 hex digits). */
const FINGERPRINT_PREFIX_CHARS = 12;

/** `yyyymmddTHHMMSS` in UTC. */
function compactUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

/** The contract's file name: `codex-diag-<UTC yyyymmddTHHMMSS>-<fingerprint prefix>.zip`. */
export function bundleFileName(createdAt: Date, fingerprint: string | null | undefined): string {
  const prefix = fingerprint ? fingerprint.replace(/[^A-Za-z0-9-]/g, '').slice(0, FINGERPRINT_PREFIX_CHARS) : '';
  return `codex-diag-${compactUtc(createdAt)}-${prefix || MANUAL_BUNDLE_PREFIX}.zip`;
}

/** The n-th alternative when the name is taken (`...-2.zip`, `...-3.zip`). */
export function alternativeName(fileName: string, n: number): string {
  return fileName.replace(/\.zip$/, `-${n}.zip`);
}
