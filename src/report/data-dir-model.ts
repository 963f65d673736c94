import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BUNDLE_ENTRIES } from '../bundle/manifest.js';
import type { Redactor } from '../bundle/redactor.js';
import { readZip } from '../bundle/zip-reader.js';
import { errnoCode, oneLine } from '../errors.js';
import { parseJournalText } from '../incidents/journal.js';
import { dataLayout } from '../paths.js';
import { loadStateReadOnly } from '../state/read-only.js';
import { readCrashDumpStats } from '../minidump/native-crash-ledger.js';
import { readPendingHeldBack } from '../upload/budget.js';
import { asNumber, asObject, asString, cellText, isoTime, parseJson, pick } from './read-json.js';
import type { DataDirBundle, DataDirReportData, FingerprintCounter, JournalOccurrence, OutboxRow } from './report-data.js';
import { startupHistory } from './startup-history.js';

export interface DataDirModelOptions {
  dataDir: string;
  /** State file (default `<dataDir>/state.json`). */
  stateFile?: string;
  /** Everything shown passes it: the outbox's errors, the state's reasons and the journal's titles are not from a bundle. */
  redactor: Redactor;
  now: () => number;
}

const JOURNAL_FILE = /^incidents-(\d{6,})\.jsonl$/;
const OUTBOX_ITEM = /^\d{13}-[0-9a-f]{32}\.json$/;
/** Only the manifest is needed from each bundle; larger entries are not inflated. */
const MANIFEST_READ_LIMIT = 1024 * 1024;

/**
 * The data of the data dir's report, read without writing anything (no outbox recovery, no state
 * migration on disk): every bundle's manifest, the journal (suppressed repeats included), the
 * outbox records, the state and its startup history. Unreadable parts are shown as such, never fatal.
 */
export async function dataDirReportData(options: DataDirModelOptions): Promise<DataDirReportData> {
  const layout = dataLayout(options.dataDir);
  const stateFile = options.stateFile ?? layout.stateFile;
  const [bundles, occurrences, outbox, state, heldBack, crashDumps] = await Promise.all([
    readBundles(layout.bundlesDir),
    readJournal(layout.journalDir),
    readOutbox(layout.outboxDir),
    readState(stateFile),
    readPendingHeldBack(options.dataDir),
    readCrashDumpStats(options.dataDir),
  ]);
  // Free text from outside passes the redactor; what codex-diag named itself (bundle file names, fingerprints,
  // event ids, times, counts) is left as it is, as in a bundle: it is what a reviewer correlates on.
  const session = options.redactor.session();
  const text = (value: string | null | undefined) => (typeof value === 'string' ? session.text(value) : (value ?? null));
  return {
    kind: 'data-dir',
    dataDir: session.text(options.dataDir),
    generatedAt: new Date(options.now()).toISOString(),
    bundles: bundles.map((b) => ({ ...b, title: text(b.title), problem: text(b.problem) })),
    occurrences: occurrences.map((o) => ({ ...o, title: session.text(o.title) })),
    fingerprints: state.fingerprints,
    outbox: {
      pending: outbox.pending.map((o) => ({ ...o, lastStatus: text(o.lastStatus), lastError: text(o.lastError) })),
      failed: outbox.failed.map((o) => ({ ...o, lastStatus: text(o.lastStatus), lastError: text(o.lastError), failedReason: text(o.failedReason) })),
    },
    heldBack: {
      total: heldBack.total,
      byReason: { ...heldBack.byReason },
      fingerprints: heldBack.fingerprints.map((f) => ({ fingerprint: f.fingerprint, total: f.total, byReason: { ...f.byReason }, firstAt: f.firstAt, lastAt: f.lastAt })),
    },
    crashDumps,
    state: state.rows?.map(([label, value]): [string, string] => [label, session.text(value)]) ?? null,
    stateProblem: text(state.problem),
    startup: startupHistory(state.value),
  };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

async function readBundles(dir: string): Promise<DataDirBundle[]> {
  const bundles: DataDirBundle[] = [];
  for (const name of (await listDir(dir)).filter((n) => n.endsWith('.zip'))) {
    const file = path.join(dir, name);
    const bundle: DataDirBundle = { file: name, createdAt: null, fingerprint: null, title: null, kind: null, suppressedCount: 0, bytes: 0, problem: null };
    try {
      bundle.bytes = (await fsp.stat(file)).size;
      const { files } = await readZip(file, { maxEntryBytes: MANIFEST_READ_LIMIT });
      const manifest = asObject(parseJson(files.get(BUNDLE_ENTRIES.manifest)));
      if (!manifest) throw new Error('no readable manifest.json');
      bundle.createdAt = isoTime(manifest.createdAt);
      bundle.fingerprint = asString(pick(manifest, 'incident', 'fingerprint'));
      bundle.title = asString(pick(manifest, 'incident', 'title'));
      bundle.kind = asString(pick(manifest, 'incident', 'kind'));
      bundle.suppressedCount = asNumber(pick(manifest, 'incident', 'suppressedCount')) ?? 0;
    } catch (error) {
      // The row names the file already; the reader's message starts with its path.
      bundle.problem = oneLine(error).replace(`${file}: `, '');
    }
    bundles.push(bundle);
  }
  return bundles.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
}

async function readJournal(dir: string): Promise<JournalOccurrence[]> {
  const files = (await listDir(dir)).filter((n) => JOURNAL_FILE.test(n));
  const occurrences: JournalOccurrence[] = [];
  for (const name of files) {
    let text: string;
    try {
      text = await fsp.readFile(path.join(dir, name), 'utf8');
    } catch {
      continue; // rotated away between listing and reading
    }
    for (const record of parseJournalText(text).records) {
      const time = isoTime(record.occurredAt);
      if (time) occurrences.push({ time, fingerprint: record.fingerprint, title: record.title, bundled: record.bundled });
    }
  }
  return occurrences;
}

async function readOutbox(dir: string): Promise<DataDirReportData['outbox']> {
  const read = async (folder: string, failed: boolean): Promise<OutboxRow[]> => {
    const rows: OutboxRow[] = [];
    for (const name of (await listDir(folder)).filter((n) => OUTBOX_ITEM.test(n))) {
      let record: Record<string, unknown> | null = null;
      try {
        record = asObject(JSON.parse(await fsp.readFile(path.join(folder, name), 'utf8')));
      } catch {
        record = null;
      }
      const itemId = name.slice(0, -'.json'.length);
      const row: OutboxRow = {
        itemId,
        eventId: asString(record?.eventId) ?? itemId.slice(14),
        createdAt: isoTime(record?.createdAt),
        attempts: asNumber(record?.attempts) ?? 0,
        nextAttemptAt: isoTime(record?.nextAttemptAt),
        lastStatus: record?.lastStatus === null || record?.lastStatus === undefined ? null : cellText(record.lastStatus),
        lastError: record ? asString(record.lastError) : 'unreadable record',
        bytes: asNumber(record?.bytes) ?? 0,
      };
      if (failed) {
        row.failedAt = isoTime(record?.failedAt);
        row.failedReason = asString(record?.failedReason);
      }
      rows.push(row);
    }
    return rows;
  };
  return { pending: await read(dir, false), failed: await read(path.join(dir, 'failed'), true) };
}

interface StateView {
  value: unknown;
  rows: Array<[string, string]> | null;
  fingerprints: FingerprintCounter[];
  problem: string | null;
}

async function readState(file: string): Promise<StateView> {
  try {
    const result = await loadStateReadOnly(file);
    if (!result.exists) return { value: null, rows: null, fingerprints: [], problem: null };
    const s = result.state;
    const rows: Array<[string, string]> = [
      ['file', file],
      ['version', `${s.version}${result.migrated ? ` (v${result.fromVersion} on disk, read as v${s.version})` : ''}`],
      ['app-server restarts', String(s.app_server.restart_count)],
      ['app-server last restart', isoTime(s.app_server.last_restart_at) ?? '-'],
      ['app-server last disconnect', s.app_server.last_disconnect_reason ?? '-'],
      ['renderer recovery attempts', String(s.renderer.recovery_attempts)],
      ['renderer last recovery', isoTime(s.renderer.last_recovery_at) ?? '-'],
      ['renderer last ready', isoTime(s.renderer.last_ready_at) ?? '-'],
      ['renderer last heartbeat', isoTime(s.renderer.last_heartbeat_at) ?? '-'],
      ['last startup latency', s.startup.renderer_ready_latency_ms === null ? '-' : `${s.startup.renderer_ready_latency_ms} ms`],
    ];
    const fingerprints = Object.entries(s.incidents).map(([fingerprint, c]) => ({
      fingerprint,
      count: c.count,
      suppressed: c.suppressed,
      firstAt: isoTime(c.first_at),
      lastAt: isoTime(c.last_at),
    }));
    return { value: s, rows, fingerprints, problem: null };
  } catch (error) {
    return { value: null, rows: null, fingerprints: [], problem: `state: ${oneLine(error)}` };
  }
}
