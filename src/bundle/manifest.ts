import { z } from 'zod';

/**
 * manifest.json of a crash bundle (contract: Crash bundle, format v1).
 * schemas/bundle-manifest.v1.json is generated from this schema.
 */

export const BUNDLE_FORMAT_VERSION = 1;

/** Entry names of format v1, in the order the builder writes them. */
export const BUNDLE_ENTRIES = {
  manifest: 'manifest.json',
  incident: 'incident.json',
  tailLog: 'logs/tail.log',
  tailJsonl: 'logs/tail.jsonl',
  state: 'state.json',
  metrics: 'metrics.json',
  system: 'system.json',
  report: 'report.html',
} as const;

/** Every entry a v1 bundle must hold besides the manifest (metrics.json and report.html are optional). */
export const REQUIRED_FILES: readonly string[] = [
  BUNDLE_ENTRIES.incident,
  BUNDLE_ENTRIES.tailLog,
  BUNDLE_ENTRIES.tailJsonl,
  BUNDLE_ENTRIES.state,
  BUNDLE_ENTRIES.system,
];
export const OPTIONAL_FILES: readonly string[] = [BUNDLE_ENTRIES.metrics, BUNDLE_ENTRIES.report];

/** `native/<id>.dmp`: the crashed process's minidump (at most one per bundle). */
export const NATIVE_ENTRY = /^native\/[A-Za-z0-9._-]{1,128}\.dmp$/;

/** The entry name of a dump: Crashpad names reports by uuid; anything else is reduced to safe characters. */
export function nativeEntryName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128).replace(/^\.+/, '_') || 'dump';
  return `native/${safe}.dmp`;
}

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();

export const manifestFileSchema = z.object({
  path: z.string().min(1),
  bytes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex sha256'),
});

export const manifestIncidentSchema = z.looseObject({
  kind: z.string().min(1),
  fingerprint: z.string().min(1),
  components: z.array(z.string()),
  occurredAt: isoTime.nullable(),
  title: z.string().optional(),
  /** Incidents of the same fingerprint the crash-loop limiter suppressed before this bundle. */
  suppressedCount: count.optional(),
});

/** What the size bounds cut; loose, so a re-packer may add what it cut. */
export const manifestTruncationSchema = z.looseObject({
  truncated: z.boolean(),
  bounds: z.object({ maxLines: count, maxLineBytes: count, maxBundleBytes: count }),
  /** Lines handed to the builder. */
  linesAvailable: count,
  /** Lines in logs/tail.log. */
  linesIncluded: count,
  /** Oldest lines dropped by the line-count bound. */
  droppedByLineLimit: count,
  /** Oldest lines dropped by the bundle-size bound. */
  droppedBySizeLimit: count,
  /** Lines cut to maxLineBytes (a visible marker ends each). */
  linesCut: count,
  /** Bytes of redacted line text left out (dropped lines and cut tails). */
  bytesOmitted: count,
});

/** What the bundle says about its minidump; the scrub counts are absent for a raw (unscrubbed) dump. */
export const manifestNativeSchema = z.looseObject({
  /** The entry (`native/<id>.dmp`), or null when the dump was left out (see `omitted`). */
  path: z.string().regex(NATIVE_ENTRY).nullable(),
  processType: z.string().nullable(),
  crashReason: z.string().nullable(),
  crashingModule: z.string().nullable(),
  /** True when every secret, the home dir and the user name were overwritten in place. */
  scrubbed: z.boolean(),
  /** Byte ranges scanned (memory regions, annotations, names, text streams). */
  regions: count.optional(),
  bytesScanned: count.optional(),
  /** Spans overwritten. */
  matches: count.optional(),
  /** Why the dump is not in the bundle (over the size bound, unreadable). */
  omitted: z.string().optional(),
});

export const bundleManifestSchema = z
  .looseObject({
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    bundleId: z.uuid(),
    createdAt: isoTime,
    app: z.looseObject({ name: z.string(), version: z.string() }),
    platform: z.looseObject({ os: z.string(), arch: z.string(), release: z.string() }),
    incident: manifestIncidentSchema.nullable(),
    files: z.array(manifestFileSchema),
    redaction: z.record(z.string(), count),
    /** The redaction rule set's version the bundle was built (or last re-redacted) with; absent: 1. */
    redactionRules: count.optional(),
    truncation: manifestTruncationSchema,
    /** The crashed process's minidump, when one was matched (absent in bundles without one). */
    native: manifestNativeSchema.optional(),
  })
  .meta({
    title: 'codex-diag crash bundle manifest v1',
    description:
      'manifest.json of a codex-diag crash bundle: what it holds (with sha256 and byte size of every other entry), the incident it was made for, redaction counts per rule and what the size bounds cut.',
  });

export type BundleManifest = z.output<typeof bundleManifestSchema>;
export type ManifestFile = z.output<typeof manifestFileSchema>;
export type ManifestIncident = z.output<typeof manifestIncidentSchema>;
export type ManifestNative = z.output<typeof manifestNativeSchema>;
export type ManifestTruncation = z.output<typeof manifestTruncationSchema>;
