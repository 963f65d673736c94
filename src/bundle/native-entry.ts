import type { RedactionSession } from './redactor.js';
import { nativeEntryName, type ManifestNative } from './manifest.js';
import type { ZipSource } from './zip-writer.js';

/** The crashed process's minidump as the builder receives it: already scrubbed (or raw, by explicit choice). */
export interface NativeDumpInput {
  /** The report's id (Crashpad's file name without `.dmp`). */
  id: string;
  /** The dump's bytes, or null when it could not be read (`omitted` says why). */
  bytes: Uint8Array | null;
  processType: string | null;
  crashReason: string | null;
  crashingModule: string | null;
  /** The scrubber's counts; null for a raw dump. */
  scrub: { regions: number; bytesScanned: number; matches: number } | null;
  omitted?: string;
}

/**
 * The zip entry and the manifest's `native` record of a dump. A dump bigger than `roomBytes` (what
 * the size bound leaves after the other fixed entries) is left out and the manifest says so. The
 * summary's texts pass the redactor like every other text of the bundle.
 */
export function nativeEntry(input: NativeDumpInput, roomBytes: number, session: RedactionSession): { source: ZipSource | null; manifest: ManifestNative } {
  const text = (value: string | null) => (value === null ? null : session.text(value));
  const manifest: ManifestNative = {
    path: null,
    processType: text(input.processType),
    crashReason: text(input.crashReason),
    crashingModule: text(input.crashingModule),
    scrubbed: input.scrub !== null,
    ...(input.scrub ? { regions: input.scrub.regions, bytesScanned: input.scrub.bytesScanned, matches: input.scrub.matches } : {}),
  };
  if (input.bytes === null) return { source: null, manifest: { ...manifest, omitted: input.omitted ?? 'the dump could not be read' } };
  if (input.bytes.byteLength > roomBytes) {
    return { source: null, manifest: { ...manifest, omitted: `${input.bytes.byteLength} bytes is over the ${Math.max(0, roomBytes)} bytes the bundle's size bound leaves` } };
  }
  const name = nativeEntryName(input.id);
  return { source: { name, data: Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) }, manifest: { ...manifest, path: name } };
}
