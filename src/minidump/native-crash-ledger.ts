import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { AtomicWriter } from '../fs/atomic-write.js';
import type { DeletionReason } from './crash-dir-bounds.js';

/**
 * `<data dir>/native-crashes.json`: when each run started (a main-process dump newer than the last
 * run's start is that run's crash), which dumps were bundled (never reported twice, deleted first),
 * and how many dumps codex-diag deleted, by reason. Its own small file: the state file's versions
 * are not touched.
 */
export interface NativeCrashLedgerData {
  version: 1;
  runStartedAt: number | null;
  /** Report ids (dump file names without `.dmp`) already bundled, newest last. */
  bundled: string[];
  deleted: Record<DeletionReason, number>;
  deletedBytes: number;
}

/** Enough for every dump the bounds keep, many times over. */
const MAX_BUNDLED_IDS = 200;

export const NATIVE_CRASH_LEDGER_FILE = 'native-crashes.json';

export class NativeCrashLedger {
  private data: NativeCrashLedgerData = emptyLedger();
  private readonly writer = new AtomicWriter();
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, NATIVE_CRASH_LEDGER_FILE);
  }

  /** Reads the last run's ledger (a missing or unreadable one is empty) and records this run's start; returns the last run's start. */
  async openRun(now: number): Promise<number | null> {
    this.data = await readLedger(this.file);
    const previous = this.data.runStartedAt;
    this.data.runStartedAt = now;
    await this.save();
    return previous;
  }

  isBundled(reportId: string): boolean {
    return this.data.bundled.includes(reportId);
  }

  bundledIds(): ReadonlySet<string> {
    return new Set(this.data.bundled);
  }

  async markBundled(reportId: string): Promise<void> {
    if (this.isBundled(reportId)) return;
    this.data.bundled = [...this.data.bundled, reportId].slice(-MAX_BUNDLED_IDS);
    await this.save();
  }

  async countDeletions(deleted: ReadonlyArray<{ bytes: number; reason: DeletionReason }>): Promise<void> {
    if (deleted.length === 0) return;
    for (const d of deleted) {
      this.data.deleted[d.reason] += 1;
      this.data.deletedBytes += d.bytes;
    }
    await this.save();
  }

  /** What the ledger counts, as the service and the data dir's report show it. */
  stats(): CrashDumpStats {
    return crashDumpStats(this.data);
  }

  snapshot(): NativeCrashLedgerData {
    return { ...this.data, bundled: [...this.data.bundled], deleted: { ...this.data.deleted } };
  }

  private async save(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await this.writer.write(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}

/**
 * Crash dumps codex-diag deleted from the crash dumps dir (across runs: the ledger keeps them), by
 * reason: `bundled` (sent in a bundle), `age`, `count` and `bytes` (past a bound); and the dumps bundled.
 */
export interface CrashDumpStats {
  deleted: Record<DeletionReason, number>;
  deletedTotal: number;
  deletedBytes: number;
  /** Dumps bundled (the ledger remembers the last 200). */
  bundled: number;
}

export function crashDumpStats(data: NativeCrashLedgerData): CrashDumpStats {
  const deleted = { ...data.deleted };
  const deletedTotal = Object.values(deleted).reduce((sum, n) => sum + n, 0);
  return { deleted, deletedTotal, deletedBytes: data.deletedBytes, bundled: data.bundled.length };
}

/** The ledger in `dataDir` as it is on disk, read only; null when there is none (no crash dumps dir was ever tended). */
export async function readCrashDumpStats(dataDir: string): Promise<CrashDumpStats | null> {
  const file = path.join(dataDir, NATIVE_CRASH_LEDGER_FILE);
  try {
    await fsp.access(file);
  } catch {
    return null;
  }
  return crashDumpStats(await readLedger(file));
}

function emptyLedger(): NativeCrashLedgerData {
  return { version: 1, runStartedAt: null, bundled: [], deleted: { bundled: 0, age: 0, count: 0, bytes: 0 }, deletedBytes: 0 };
}

async function readLedger(file: string): Promise<NativeCrashLedgerData> {
  const empty = emptyLedger();
  try {
    const raw = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<NativeCrashLedgerData>;
    return {
      version: 1,
      runStartedAt: typeof raw.runStartedAt === 'number' ? raw.runStartedAt : null,
      bundled: Array.isArray(raw.bundled) ? raw.bundled.filter((id): id is string => typeof id === 'string') : [],
      deleted: deletedCounts(raw.deleted, empty.deleted),
      deletedBytes: typeof raw.deletedBytes === 'number' ? raw.deletedBytes : 0,
    };
  } catch {
    // Missing or unreadable: nothing was bundled that we know of, and the last run is unknown.
    return empty;
  }
}

/** Known reasons with non-negative integer counts; anything else in the file is ignored. */
function deletedCounts(raw: unknown, empty: Record<DeletionReason, number>): Record<DeletionReason, number> {
  const out = { ...empty };
  if (typeof raw !== 'object' || raw === null) return out;
  for (const reason of Object.keys(out) as DeletionReason[]) {
    const value = (raw as Record<string, unknown>)[reason];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) out[reason] = value;
  }
  return out;
}
