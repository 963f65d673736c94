import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { cutMarker, utf8CutLength } from '../logs/line-cut.js';
import { parseLogLine } from '../logs/parse-line.js';
import type { LogLine, TailLine } from '../logs/types.js';
import type { Pacer } from '../runtime/time-slice.js';
import { resolveBounds, type BundleBounds } from './bounds.js';
import { bundleFileName } from './bundle-name.js';
import { dropCutTail, withCutMarker } from './cut-tail.js';
import {
  BUNDLE_ENTRIES,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type ManifestIncident,
  type ManifestTruncation,
} from './manifest.js';
import { REDACTION_RULES_VERSION } from './redaction-rules-version.js';
import type { RedactionCounts, RedactionSession, Redactor } from './redactor.js';
import { nativeEntry, type NativeDumpInput } from './native-entry.js';
import { bundleReportSource } from '../report/bundle-entry.js';
import { collectSystemInfo, type AppInfo, type SystemInfo } from './system-info.js';
import { digestSource, writeZipAtomically, type ZipSource } from './zip-writer.js';

/** The incident's fingerprint as src/incidents computes it. */
export interface BundleFingerprint {
  fingerprint: string;
  components: readonly string[];
  title?: string;
}

export interface BundleInput {
  /** The incident as captured (any JSON object), or null for a manual export. */
  incident: Record<string, unknown> | null;
  fingerprint: BundleFingerprint | null;
  /** Log lines, oldest first (as readLastLines returns them). */
  lines: readonly TailLine[];
  /** The current state (any JSON), or null when there is none. */
  state: unknown;
  /** Rolling request metrics; metrics.json is written only when given. */
  metrics?: unknown;
  app: AppInfo;
  /** Default: collected from this process (os, node; electron/chrome when embedded). */
  system?: SystemInfo;
  /** Incidents of this fingerprint the crash-loop limiter suppressed before this one. */
  suppressedCount?: number;
  /** When the incident happened (ms or ISO); default the incident's own `occurredAt`. */
  occurredAt?: string | number;
  /** The crashed process's minidump, scrubbed by the caller: `native/<id>.dmp`. */
  native?: NativeDumpInput;
}

export interface BuildBundleOptions {
  /** Directory for a generated name (the contract's), or... */
  outDir?: string;
  /** ...an exact file path (replaced if it exists). One of the two is required. */
  outPath?: string;
  bounds?: Partial<BundleBounds>;
  redactor: Redactor;
  clock?: Clock;
  /** Bundle id source (default: crypto.randomUUID). */
  newId?: () => string;
  /** Turns a redacted line into its logs/tail.jsonl record (src/logs parseLogLine). */
  parseLine?: (line: TailLine) => LogLine;
  /** Called as lines are redacted and when the zip is written (for a progress bar). */
  onProgress?: (progress: BundleProgress) => void;
  /** Called between lines; on the main thread it yields to the event loop (the bundle is the same either way). */
  pacer?: Pacer;
  /** Write report.html, the bundle's visual report, when it fits the size bound (default true). */
  report?: boolean;
}

export interface BundleProgress {
  phase: 'redact' | 'write' | 'done';
  done: number;
  total: number;
}

export interface BuiltBundle {
  path: string;
  /** Size of the zip file. */
  bytes: number;
  /** sha256 of the zip file. */
  sha256: string;
  bundleId: string;
  manifest: BundleManifest;
  /** Log lines in the bundle. */
  lines: number;
  /** Replacements per rule, as in the manifest. */
  redactions: RedactionCounts;
}

/** Room kept for manifest.json and the zip's own headers when the size bound is applied. */
const MANIFEST_RESERVE_BYTES = 64 * 1024;
const ZIP_OVERHEAD_PER_ENTRY = 256;

interface PreparedLine {
  text: string;
  jsonl: string;
  /** Redactions made in this line (null when none), subtracted when the size bound drops it. */
  counts: RedactionCounts | null;
  bytes: number;
  cutBytes: number;
}

/**
 * Builds a crash bundle (format v1): redacts everything, applies the bounds (oldest lines go
 * first), and writes the zip atomically with mode 0600. Memory is bounded by the bounds: lines are
 * kept one string each and streamed into the zip, never concatenated.
 */
export async function buildBundle(input: BundleInput, options: BuildBundleOptions): Promise<BuiltBundle> {
  const clock = options.clock ?? systemClock;
  const bounds = resolveBounds(options.bounds);
  const createdAt = new Date(clock.now());
  const bundleId = (options.newId ?? randomUUID)();
  const parseLine = options.parseLine ?? parseLogLine;
  const session = options.redactor.session();

  const incidentJson = jsonText(session.value(input.incident ?? null));
  const stateJson = jsonText(session.value(input.state ?? null));
  const metricsJson = input.metrics === undefined ? null : jsonText(session.value(input.metrics));
  const system = input.system ?? collectSystemInfo(input.app);
  const systemJson = jsonText(session.value(system));
  const incident = manifestIncident(input, session);
  // The app's version may come from an incident file: every text in the bundle passes the redactor.
  const app = { name: session.text(input.app.name), version: session.text(input.app.version) };
  const platform = { os: session.text(system.os), arch: session.text(system.arch), release: session.text(system.release) };

  const fromLineLimit = input.lines.slice(Math.max(0, input.lines.length - bounds.maxLines));
  const droppedByLineLimit = input.lines.length - fromLineLimit.length;
  const prepared = await prepareLines(fromLineLimit, session, bounds, parseLine, options);

  const parts: EntryParts = { incidentJson, stateJson, metricsJson, systemJson };
  let fixedBytes =
    bundleEntries(parts, []).reduce((sum, entry) => sum + (Buffer.isBuffer(entry.data) ? entry.data.length : 0), 0) +
    MANIFEST_RESERVE_BYTES +
    8 * ZIP_OVERHEAD_PER_ENTRY;
  // The dump goes before the log lines: the native stack says more than the oldest lines.
  const native = input.native ? nativeEntry(input.native, bounds.maxBundleBytes - fixedBytes, session) : null;
  if (native?.source) {
    parts.native = native.source;
    fixedBytes += (native.source.data as Buffer).length;
  }
  const keepFrom = oldestKeptIndex(prepared, bounds.maxBundleBytes - fixedBytes);
  const kept = prepared.slice(keepFrom);
  const dropped = prepared.slice(0, keepFrom);
  const counts = session.counts();
  for (const line of dropped) {
    if (line.counts) for (const [rule, n] of Object.entries(line.counts)) counts[rule] = (counts[rule] ?? 0) - n;
  }
  const entries = bundleEntries(parts, kept);

  const truncation: ManifestTruncation = {
    truncated: droppedByLineLimit > 0 || dropped.length > 0 || prepared.some((l) => l.cutBytes > 0),
    bounds,
    linesAvailable: input.lines.length,
    linesIncluded: kept.length,
    droppedByLineLimit,
    droppedBySizeLimit: dropped.length,
    linesCut: prepared.filter((l) => l.cutBytes > 0).length,
    bytesOmitted:
      fromLineLimitBytes(input.lines, droppedByLineLimit) +
      dropped.reduce((sum, l) => sum + l.bytes, 0) +
      kept.reduce((sum, l) => sum + l.cutBytes, 0),
  };
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    bundleId,
    createdAt: createdAt.toISOString(),
    app,
    platform,
    incident,
    files: entries.map((entry) => ({ path: entry.name, ...digestSource(entry) })),
    redaction: counts,
    redactionRules: REDACTION_RULES_VERSION,
    truncation,
    ...(native ? { native: native.manifest } : {}),
  };

  // report.html is rendered from the entries above (already redacted) and fits in what the lines left.
  if (options.report !== false) {
    const room = bounds.maxBundleBytes - fixedBytes - kept.reduce((sum, l) => sum + l.bytes, 0);
    const report = bundleReportSource(entries, manifest, room);
    if (report.source) {
      entries.push(report.source);
      manifest.files.push({ path: report.source.name, ...digestSource(report.source) });
    } else {
      manifest.truncation = { ...manifest.truncation, truncated: true, report: report.omitted };
    }
  }

  options.onProgress?.({ phase: 'write', done: 0, total: 1 });
  const target = options.outPath
    ? { path: options.outPath, noClobber: false }
    : { path: path.join(requireOutDir(options.outDir), bundleFileName(createdAt, input.fingerprint?.fingerprint)), noClobber: true };
  const manifestEntry: ZipSource = { name: BUNDLE_ENTRIES.manifest, data: Buffer.from(jsonText(manifest)) };
  const written = await writeZipAtomically([manifestEntry, ...entries], target, createdAt);
  options.onProgress?.({ phase: 'done', done: 1, total: 1 });
  return { ...written, bundleId, manifest, lines: kept.length, redactions: counts };
}

/** The redacted texts a bundle's entries are made of. */
interface EntryParts {
  incidentJson: string;
  stateJson: string;
  metricsJson: string | null;
  systemJson: string;
  native?: ZipSource;
}

/**
 * Every entry of the zip but the manifest, in zip order: the one place an entry is added, except
 * report.html, which is rendered from these entries once their digests are in the manifest. Lines are
 * streamed into the zip; the other entries are buffers, whose sizes count against the size bound.
 */
function bundleEntries(parts: EntryParts, lines: readonly PreparedLine[]): ZipSource[] {
  const entries: ZipSource[] = [
    { name: BUNDLE_ENTRIES.incident, data: Buffer.from(parts.incidentJson) },
    { name: BUNDLE_ENTRIES.tailLog, data: () => linesOf(lines, 'text') },
    { name: BUNDLE_ENTRIES.tailJsonl, data: () => linesOf(lines, 'jsonl') },
    { name: BUNDLE_ENTRIES.state, data: Buffer.from(parts.stateJson) },
  ];
  if (parts.metricsJson !== null) entries.push({ name: BUNDLE_ENTRIES.metrics, data: Buffer.from(parts.metricsJson) });
  entries.push({ name: BUNDLE_ENTRIES.system, data: Buffer.from(parts.systemJson) });
  if (parts.native) entries.push(parts.native);
  return entries;
}

function requireOutDir(outDir: string | undefined): string {
  if (!outDir) throw new TypeError('buildBundle needs options.outDir or options.outPath');
  return outDir;
}

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2) ?? 'null'}\n`;
}

function* linesOf(lines: readonly PreparedLine[], field: 'text' | 'jsonl'): Iterable<Buffer> {
  for (const line of lines) yield Buffer.from(`${line[field]}\n`);
}

async function prepareLines(
  lines: readonly TailLine[],
  session: RedactionSession,
  bounds: BundleBounds,
  parseLine: (line: TailLine) => LogLine,
  { onProgress, pacer }: Pick<BuildBundleOptions, 'onProgress' | 'pacer'>,
): Promise<PreparedLine[]> {
  const prepared: PreparedLine[] = [];
  const sources = new Map<string, string>();
  let previousSource: string | undefined;
  let before = session.counts();
  let beforeTotal = session.total();
  for (const [index, line] of lines.entries()) {
    const pause = pacer?.();
    if (pause) await pause;
    if (line.source !== previousSource) session.endOfSource();
    previousSource = line.source;
    let source = sources.get(line.source);
    if (source === undefined) {
      source = session.text(line.source);
      sources.set(line.source, source);
      // A source's redaction belongs to the jsonl of every line from it, not to this line alone.
      before = session.counts();
      beforeTotal = session.total();
    }
    // Redact before cutting: a cut could otherwise split a secret so no rule recognises the rest.
    // A line the log reader already cut loses the partial word at its cut for the same reason.
    const readerCut = dropCutTail(line.text);
    const redacted = session.line(readerCut.head);
    // Counts are copied only for the few lines that had something redacted.
    let counts: RedactionCounts | null = null;
    if (session.total() !== beforeTotal) {
      const after = session.counts();
      counts = diffCounts(before, after);
      before = after;
      beforeTotal = session.total();
    }
    const { text, cutBytes } = cutLine(redacted, bounds.maxLineBytes, readerCut.cutBytes);
    const record: LogLine = parseLine({ source, text });
    const jsonl = JSON.stringify({ time: record.time, level: record.level, msg: record.msg, source: record.source, line: record.line });
    prepared.push({ text, jsonl, counts, bytes: Buffer.byteLength(text) + Buffer.byteLength(jsonl) + 2, cutBytes });
    if (onProgress && index % 100 === 0) onProgress({ phase: 'redact', done: index, total: lines.length });
  }
  return prepared;
}

function diffCounts(before: RedactionCounts, after: RedactionCounts): RedactionCounts | null {
  let diff: RedactionCounts | null = null;
  for (const [rule, n] of Object.entries(after)) {
    const d = n - (before[rule] ?? 0);
    if (d !== 0) (diff ??= {})[rule] = d;
  }
  return diff;
}

/**
 * Cuts a line to `maxBytes` of UTF-8 without splitting a character, with a visible marker that
 * also counts `alreadyCut` bytes (cut before, by the log reader).
 */
export function cutLine(text: string, maxBytes: number, alreadyCut = 0): { text: string; cutBytes: number } {
  if (text.length <= maxBytes / 3) return { text: withCutMarker(text, alreadyCut), cutBytes: alreadyCut };
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return { text: withCutMarker(text, alreadyCut), cutBytes: alreadyCut };
  const keep = utf8CutLength(bytes, maxBytes);
  const cutBytes = bytes.length - keep + alreadyCut;
  return { text: bytes.subarray(0, keep).toString('utf8') + cutMarker(cutBytes), cutBytes };
}

/** Index of the oldest line that still fits `budget` bytes when lines are kept newest first. */
function oldestKeptIndex(lines: readonly PreparedLine[], budget: number): number {
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    used += lines[i]!.bytes;
    if (used > budget) return i + 1;
  }
  return 0;
}

function fromLineLimitBytes(lines: readonly TailLine[], dropped: number): number {
  let bytes = 0;
  for (let i = 0; i < dropped; i++) bytes += Buffer.byteLength(lines[i]!.text) + 1;
  return bytes;
}

function manifestIncident(input: BundleInput, session: RedactionSession): ManifestIncident | null {
  if (!input.incident || !input.fingerprint) return null;
  const kind = typeof input.incident.kind === 'string' ? input.incident.kind : 'unknown';
  const result: ManifestIncident = {
    kind,
    fingerprint: input.fingerprint.fingerprint,
    components: input.fingerprint.components.map((c) => session.text(c)),
    occurredAt: isoOrNull(input.occurredAt ?? input.incident.occurredAt),
  };
  if (input.fingerprint.title !== undefined) result.title = session.text(input.fingerprint.title);
  if (input.suppressedCount !== undefined) result.suppressedCount = input.suppressedCount;
  return result;
}

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
