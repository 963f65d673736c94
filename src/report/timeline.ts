import type { LevelBucket, ReportLogLine, Timeline, TimelineEvent } from './report-data.js';

/**
 * The bundle's timeline: events read back from the log tail (the service logs every incident with
 * its fingerprint and whether it was bundled, each renderer reload and each sidecar restart), the
 * incident itself, and log lines per level in equal time buckets. It is built from the redacted
 * tail only, so what the timeline shows is exactly what the bundle carries.
 */

export interface TimelineInput {
  lines: readonly ReportLogLine[];
  /** The bundle's incident: its time and title, always on the timeline. */
  incident: { occurredAt: string | null; title: string } | null;
  /** Number of level buckets across the time span. */
  bucketCount?: number;
}

const DEFAULT_BUCKETS = 40;

export function buildTimeline(input: TimelineInput): Timeline {
  const events: TimelineEvent[] = [];
  let untimedLines = 0;
  const timed: Array<{ ms: number; level: string }> = [];
  for (const line of input.lines) {
    const ms = line.time === null ? Number.NaN : Date.parse(line.time);
    if (Number.isNaN(ms)) {
      untimedLines += 1;
      continue;
    }
    timed.push({ ms, level: line.level });
    const event = eventOf(line);
    if (event) events.push({ time: new Date(ms).toISOString(), ...event });
  }
  const incidentMs = input.incident?.occurredAt ? Date.parse(input.incident.occurredAt) : Number.NaN;
  if (input.incident && !Number.isNaN(incidentMs)) {
    // The service logs the bundled incident too; the bundle's own record is the one kept.
    const duplicate = events.findIndex((e) => e.type === 'incident' && e.label === input.incident!.title && Math.abs(Date.parse(e.time) - incidentMs) < 60_000);
    if (duplicate >= 0) events.splice(duplicate, 1);
    events.push({ time: new Date(incidentMs).toISOString(), type: 'incident', label: `${input.incident.title} (this bundle)` });
  }
  events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));

  const times = [...timed.map((t) => t.ms), ...events.map((e) => Date.parse(e.time))];
  if (times.length === 0) return { start: null, end: null, events, buckets: [], untimedLines };
  const startMs = Math.min(...times);
  const endMs = Math.max(...times);
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    events,
    buckets: levelBuckets(timed, startMs, endMs, input.bucketCount ?? DEFAULT_BUCKETS),
    untimedLines,
  };
}

function levelBuckets(timed: ReadonlyArray<{ ms: number; level: string }>, startMs: number, endMs: number, count: number): LevelBucket[] {
  const n = endMs > startMs ? Math.max(1, count) : 1;
  const width = Math.max(1, (endMs - startMs) / n);
  const buckets: LevelBucket[] = Array.from({ length: n }, (_, i) => ({ start: new Date(startMs + i * width).toISOString(), counts: {} }));
  for (const { ms, level } of timed) {
    const bucket = buckets[Math.min(n - 1, Math.floor((ms - startMs) / width))]!;
    bucket.counts[level] = (bucket.counts[level] ?? 0) + 1;
  }
  return buckets;
}

/** The event a log line records, if any (the service's own messages, read from the JSON line). */
function eventOf(line: ReportLogLine): Omit<TimelineEvent, 'time'> | null {
  const record = parseObject(line.line);
  if (!record) return null;
  const msg = typeof record.msg === 'string' ? record.msg : '';
  if (typeof record.fingerprint === 'string' && typeof record.bundled === 'boolean' && typeof record.kind === 'string') {
    return record.bundled
      ? { type: 'incident', label: msg || record.fingerprint }
      : { type: 'suppressed', label: `${msg || record.fingerprint} (suppressed repeat)` };
  }
  if (msg === 'renderer reload' || msg === 'renderer recovery gave up') {
    const attempt = typeof record.attempt === 'number' ? ` #${record.attempt}` : '';
    return { type: 'recovery', label: `${msg}${attempt}` };
  }
  if (msg === 'sidecar restart') {
    const attempt = typeof record.attempt === 'number' ? ` #${record.attempt}` : '';
    return { type: 'sidecar-restart', label: `sidecar restart${attempt}` };
  }
  return null;
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
