import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { AtomicWriter } from '../fs/atomic-write.js';
import type { DeletionReason } from '../minidump/crash-dir-bounds.js';

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

  snapshot(): NativeCrashLedgerData {
    return { ...this.data, bundled: [...this.data.bundled], deleted: { ...this.data.deleted } };
  }

  private async save(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await this.writer.write(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
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
      deleted: { ...empty.deleted, ...(typeof raw.deleted === 'object' && raw.deleted ? raw.deleted : {}) },
      deletedBytes: typeof raw.deletedBytes === 'number' ? raw.deletedBytes : 0,
    };
  } catch {
    // Missing or unreadable: nothing was bundled that we know of, and the last run is unknown.
    return empty;
  }
}
