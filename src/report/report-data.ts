import type { MethodMetrics } from '../runtime/rolling-metrics.js';
import type { CrashDumpStats } from '../minidump/native-crash-ledger.js';
/**
 * What a report page embeds: plain JSON, built in Node, rendered by the page's own script with
 * textContent. Times are ISO strings or null; the page never fetches or evaluates anything.
 */

export type ReportData = BundleReportData | DataDirReportData;

export interface BundleReportData {
  kind: 'bundle';
  /** The bundle's file name when known (the CLI), null inside the bundle itself. */
  fileName: string | null;
  bundleId: string | null;
  createdAt: string | null;
  app: { name: string; version: string } | null;
  platform: { os: string; arch: string; release: string } | null;
  incident: ReportIncident | null;
  timeline: Timeline;
  logs: ReportLogLine[];
  startup: StartupHistory;
  metrics: RequestMetrics | null;
  /** system.json flattened to label/value rows. */
  system: Array<[string, string]>;
  /** Rule → count, largest first. */
  redaction: Array<[string, number]>;
  /** What the size bounds cut, in words (empty when nothing). */
  truncation: string[];
  integrity: Integrity;
}

export interface ReportIncident {
  kind: string;
  title: string | null;
  fingerprint: string;
  occurredAt: string | null;
  suppressedCount: number;
  components: ExplainedComponent[];
  /** Fields of the incident that are context, not part of the group (pid, ids, times...). */
  context: Array<[string, string]>;
}

export interface ExplainedComponent {
  /** The component as it is hashed, e.g. `route:/chat/:id`. */
  component: string;
  /** What this component stands for. */
  meaning: string;
  /** The incident's own value(s) it came from, e.g. `url = app://codex/chat/8f3a?tab=2`. */
  from: string | null;
  /** The volatile detail that was normalised away, in words (empty when none). */
  normalised: string[];
}

export type TimelineEventType = 'incident' | 'suppressed' | 'recovery' | 'sidecar-restart';

export interface TimelineEvent {
  time: string;
  type: TimelineEventType;
  label: string;
}

export interface LevelBucket {
  start: string;
  /** Lines per level in this bucket. */
  counts: Record<string, number>;
}

export interface Timeline {
  start: string | null;
  end: string | null;
  events: TimelineEvent[];
  /** Log lines per level in equal time buckets between start and end. */
  buckets: LevelBucket[];
  /** Lines that carry no time and so are not on the time axis. */
  untimedLines: number;
}

export interface ReportLogLine {
  time: string | null;
  level: string;
  source: string;
  line: string;
}

export interface StartupLaunch {
  startedAt: string | null;
  latencyMs: number | null;
}

export interface StartupHistory {
  launches: StartupLaunch[];
  p50: number | null;
  p95: number | null;
}

/** One method's rolling metrics, as metrics.json holds them. */
export interface MethodRow extends MethodMetrics {
  method: string;
}

export interface RequestMetrics {
  windowMs: number | null;
  methods: MethodRow[];
}

export type IntegrityStatus = 'ok' | 'mismatch' | 'missing' | 'unlisted';

export interface IntegrityRow {
  path: string;
  bytes: number | null;
  sha256: string | null;
  status: IntegrityStatus;
  detail: string | null;
}

export interface Integrity {
  /** How the entries were checked: against the zip on disk, or the bytes the builder wrote. */
  checkedAgainst: string;
  rows: IntegrityRow[];
  /** Anything else wrong with the bundle (from the verifier), one line each. */
  problems: string[];
}

export interface DataDirBundle {
  file: string;
  createdAt: string | null;
  fingerprint: string | null;
  title: string | null;
  kind: string | null;
  suppressedCount: number;
  bytes: number;
  /** null when the manifest could not be read. */
  problem: string | null;
}

export interface JournalOccurrence {
  time: string;
  fingerprint: string;
  title: string;
  bundled: boolean;
}

export interface FingerprintCounter {
  fingerprint: string;
  count: number;
  suppressed: number;
  firstAt: string | null;
  lastAt: string | null;
}

export interface OutboxRow {
  itemId: string;
  eventId: string;
  createdAt: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  bytes: number;
  failedAt?: string | null;
  failedReason?: string | null;
}

export interface HeldBackRows {
  total: number;
  byReason: Record<string, number>;
  fingerprints: Array<{ fingerprint: string; total: number; byReason: Record<string, number>; firstAt: number; lastAt: number }>;
}

export interface DataDirReportData {
  kind: 'data-dir';
  dataDir: string;
  generatedAt: string;
  bundles: DataDirBundle[];
  occurrences: JournalOccurrence[];
  fingerprints: FingerprintCounter[];
  outbox: { pending: OutboxRow[]; failed: OutboxRow[] };
  /** Occurrences the delivery budget held back, waiting to ride on their fingerprint's next event. */
  heldBack: HeldBackRows;
  /** Crash dumps codex-diag deleted from the crash dumps dir, by reason, and bundled; null when it never tended one. */
  crashDumps: CrashDumpStats | null;
  /** State summary rows (version, counters, last times); null when there is no state file. */
  state: Array<[string, string]> | null;
  stateProblem: string | null;
  startup: StartupHistory;
}
