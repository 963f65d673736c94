import { createHash } from 'node:crypto';
import { BUNDLE_ENTRIES } from '../bundle/manifest.js';
import { contextFields, explainComponents } from './fingerprint-explain.js';
import { asNumber, asObject, asString, cellText, isoTime, parseJson, pick } from './read-json.js';
import type { BundleReportData, Integrity, IntegrityRow, MethodRow, ReportIncident, ReportLogLine, RequestMetrics } from './report-data.js';
import { startupHistory } from './startup-history.js';
import { buildTimeline } from './timeline.js';

export interface BundleModelOptions {
  /** The bundle's file name, shown in the header (null inside the bundle itself). */
  fileName?: string | null;
  /** Says what the entries' bytes are: the zip read back, or what the builder is writing. */
  checkedAgainst: string;
  /** Problems a verifier found beyond checksums (entry names, sizes, schema), one line each. */
  problems?: readonly string[];
}

/**
 * The data of a bundle's report, a pure function of the bundle's entries (name → bytes): the same
 * call serves the CLI (entries read back from the zip) and the builder (entries about to be written,
 * possibly in a worker thread). Every value shown comes from these redacted entries; nothing is
 * read from the machine.
 */
export function bundleReportData(entries: ReadonlyMap<string, Uint8Array>, options: BundleModelOptions): BundleReportData {
  const manifest = asObject(parseJson(entries.get(BUNDLE_ENTRIES.manifest)));
  const incidentJson = asObject(parseJson(entries.get(BUNDLE_ENTRIES.incident)));
  const logs = logLines(entries);
  const incident = reportIncident(asObject(manifest?.incident), incidentJson);
  return {
    kind: 'bundle',
    fileName: options.fileName ?? null,
    bundleId: asString(manifest?.bundleId),
    createdAt: isoTime(manifest?.createdAt),
    app: nameVersion(manifest?.app),
    platform: platformOf(manifest?.platform),
    incident,
    timeline: buildTimeline({ lines: logs, incident: incident ? { occurredAt: incident.occurredAt, title: incident.title ?? incident.kind } : null }),
    logs,
    startup: startupHistory(parseJson(entries.get(BUNDLE_ENTRIES.state))),
    metrics: requestMetrics(parseJson(entries.get(BUNDLE_ENTRIES.metrics))),
    system: flatten(parseJson(entries.get(BUNDLE_ENTRIES.system))),
    redaction: redactionRows(manifest?.redaction),
    truncation: truncationNotes(asObject(manifest?.truncation)),
    integrity: integrity(entries, manifest, options),
  };
}

function nameVersion(value: unknown): { name: string; version: string } | null {
  const name = asString(pick(value, 'name'));
  const version = asString(pick(value, 'version'));
  return name === null && version === null ? null : { name: name ?? '', version: version ?? '' };
}

function platformOf(value: unknown): BundleReportData['platform'] {
  const o = asObject(value);
  if (!o) return null;
  return { os: cellText(o.os), arch: cellText(o.arch), release: cellText(o.release) };
}

function reportIncident(manifestIncident: Record<string, unknown> | null, incident: Record<string, unknown> | null): ReportIncident | null {
  if (!manifestIncident && !incident) return null;
  const components = Array.isArray(manifestIncident?.components) ? manifestIncident.components.filter((c): c is string => typeof c === 'string') : [];
  return {
    kind: asString(manifestIncident?.kind) ?? asString(incident?.kind) ?? 'unknown',
    title: asString(manifestIncident?.title),
    fingerprint: asString(manifestIncident?.fingerprint) ?? '',
    occurredAt: isoTime(manifestIncident?.occurredAt) ?? isoTime(incident?.occurredAt),
    suppressedCount: asNumber(manifestIncident?.suppressedCount) ?? 0,
    components: explainComponents(components, incident),
    context: contextFields(components, incident),
  };
}

/** tail.jsonl records; tail.log lines (level unknown) when the jsonl entry is missing. */
function logLines(entries: ReadonlyMap<string, Uint8Array>): ReportLogLine[] {
  const jsonl = entries.get(BUNDLE_ENTRIES.tailJsonl);
  const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (jsonl) {
    return splitLines(text(jsonl)).map((raw) => {
      let record: Record<string, unknown> | null = null;
      try {
        record = asObject(JSON.parse(raw));
      } catch {
        // a line that is not JSON is shown as it is
      }
      return {
        time: isoTime(record?.time),
        level: asString(record?.level) ?? 'unknown',
        source: asString(record?.source) ?? '',
        line: asString(record?.line) ?? raw,
      };
    });
  }
  const log = entries.get(BUNDLE_ENTRIES.tailLog);
  return log ? splitLines(text(log)).map((line) => ({ time: null, level: 'unknown', source: '', line })) : [];
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function requestMetrics(value: unknown): RequestMetrics | null {
  const methods = asObject(pick(value, 'methods'));
  if (!methods) return null;
  const rows: MethodRow[] = Object.entries(methods).map(([method, m]) => ({
    method,
    count: asNumber(pick(m, 'count')) ?? 0,
    errorRate: asNumber(pick(m, 'errorRate')) ?? 0,
    p50: asNumber(pick(m, 'p50')) ?? 0,
    p95: asNumber(pick(m, 'p95')) ?? 0,
    p99: asNumber(pick(m, 'p99')) ?? 0,
    max: asNumber(pick(m, 'max')) ?? 0,
  }));
  return { windowMs: asNumber(pick(value, 'windowMs')), methods: rows };
}

/** Nested JSON as dotted label/value rows (system.json is small and flat-ish). */
function flatten(value: unknown, prefix = '', rows: Array<[string, string]> = []): Array<[string, string]> {
  const o = asObject(value);
  if (!o) {
    if (prefix !== '') rows.push([prefix, cellText(value)]);
    return rows;
  }
  for (const [key, v] of Object.entries(o)) flatten(v, prefix === '' ? key : `${prefix}.${key}`, rows);
  return rows;
}

function redactionRows(value: unknown): Array<[string, number]> {
  const o = asObject(value);
  if (!o) return [];
  return Object.entries(o)
    .map(([rule, n]): [string, number] => [rule, asNumber(n) ?? 0])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function truncationNotes(t: Record<string, unknown> | null): string[] {
  if (!t) return [];
  const notes: string[] = [];
  const n = (key: string) => asNumber(t[key]) ?? 0;
  const bounds = asObject(t.bounds);
  if (t.linesIncluded !== undefined) notes.push(`${n('linesIncluded')} of ${n('linesAvailable')} log lines included`);
  if (n('droppedByLineLimit') > 0) notes.push(`${n('droppedByLineLimit')} older lines dropped by the ${cellText(bounds?.maxLines)}-line bound`);
  if (n('droppedBySizeLimit') > 0) notes.push(`${n('droppedBySizeLimit')} older lines dropped by the size bound`);
  if (n('linesCut') > 0) notes.push(`${n('linesCut')} lines cut at ${cellText(bounds?.maxLineBytes)} bytes`);
  if (n('bytesOmitted') > 0) notes.push(`${n('bytesOmitted')} bytes of log text left out`);
  if (t.repacked !== undefined) notes.push(`re-packed smaller for upload: ${cellText(t.repacked)}`);
  if (t.report !== undefined) notes.push(`report: ${cellText(t.report)}`);
  return notes;
}

/** Every listed entry's size and sha256 recomputed from the given bytes. */
function integrity(entries: ReadonlyMap<string, Uint8Array>, manifest: Record<string, unknown> | null, options: BundleModelOptions): Integrity {
  const rows: IntegrityRow[] = [];
  const listed = new Set<string>();
  const files = Array.isArray(manifest?.files) ? manifest.files : [];
  for (const file of files) {
    const path = asString(pick(file, 'path'));
    if (path === null) continue;
    listed.add(path);
    const bytes = asNumber(pick(file, 'bytes'));
    const sha256 = asString(pick(file, 'sha256'));
    const data = entries.get(path);
    if (!data) {
      rows.push({ path, bytes, sha256, status: 'missing', detail: 'listed in the manifest, not in the bundle' });
      continue;
    }
    const actual = createHash('sha256').update(data).digest('hex');
    const ok = actual === sha256 && data.byteLength === bytes;
    rows.push({
      path,
      bytes,
      sha256,
      status: ok ? 'ok' : 'mismatch',
      detail: ok ? null : `actual ${data.byteLength} bytes, sha256 ${actual}`,
    });
  }
  for (const path of entries.keys()) {
    if (path === BUNDLE_ENTRIES.manifest || listed.has(path)) continue;
    rows.push({ path, bytes: entries.get(path)!.byteLength, sha256: null, status: 'unlisted', detail: 'in the bundle, not listed in the manifest' });
  }
  if (!manifest) rows.push({ path: BUNDLE_ENTRIES.manifest, bytes: null, sha256: null, status: 'missing', detail: 'no readable manifest.json' });
  return { checkedAgainst: options.checkedAgainst, rows, problems: [...(options.problems ?? [])] };
}
