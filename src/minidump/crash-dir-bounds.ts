import { promises as fsp } from 'node:fs';
import { errnoCode } from '../errors.js';
import { listDumpFiles } from './crash-dir.js';

export interface CrashDirBounds {
  maxDumps: number;
  maxBytes: number;
  maxAgeMs: number;
}

/** Crashpad folders grow without bound on users' machines: codex-diag keeps them to this. */
export const DEFAULT_CRASH_DIR_BOUNDS: CrashDirBounds = { maxDumps: 20, maxBytes: 200 * 1024 * 1024, maxAgeMs: 30 * 24 * 60 * 60 * 1000 };

export type DeletionReason = 'bundled' | 'age' | 'count' | 'bytes';

export interface CrashDirCleanup {
  deleted: Array<{ file: string; bytes: number; reason: DeletionReason }>;
  kept: number;
  keptBytes: number;
  /** Deletions that failed (a file held open on Windows): tried again next time. */
  failed: number;
}

/**
 * Deletes only dumps codex-diag has bundled, then dumps past the bounds: older than `maxAgeMs`, then the
 * oldest while more than `maxDumps` or `maxBytes` remain. Crashpad's `.meta` file beside a dump goes with
 * it. Each deletion is returned with its reason, for the caller to count.
 */
export async function boundCrashDir(crashDir: string, options: { now: number; bundled?: ReadonlySet<string>; bounds?: Partial<CrashDirBounds> }): Promise<CrashDirCleanup> {
  const bounds = { ...DEFAULT_CRASH_DIR_BOUNDS, ...options.bounds };
  const dumps = await listDumpFiles(crashDir);
  const result: CrashDirCleanup = { deleted: [], kept: 0, keptBytes: 0, failed: 0 };
  const remaining = [];
  for (const dump of dumps) {
    const reason: DeletionReason | null = options.bundled?.has(dump.file) ? 'bundled' : options.now - dump.mtimeMs > bounds.maxAgeMs ? 'age' : null;
    if (reason && (await remove(dump.file))) result.deleted.push({ file: dump.file, bytes: dump.bytes, reason });
    else {
      if (reason) result.failed++;
      remaining.push(dump);
    }
  }
  let bytes = remaining.reduce((n, d) => n + d.bytes, 0);
  // Oldest first (listDumpFiles' order).
  while (remaining.length > 0 && (remaining.length > bounds.maxDumps || bytes > bounds.maxBytes)) {
    const oldest = remaining.shift()!;
    const reason: DeletionReason = remaining.length + 1 > bounds.maxDumps ? 'count' : 'bytes';
    if (await remove(oldest.file)) {
      result.deleted.push({ file: oldest.file, bytes: oldest.bytes, reason });
      bytes -= oldest.bytes;
    } else {
      result.failed++;
      result.kept++;
      result.keptBytes += oldest.bytes;
      bytes -= oldest.bytes;
    }
  }
  result.kept += remaining.length;
  result.keptBytes += remaining.reduce((n, d) => n + d.bytes, 0);
  return result;
}

async function remove(file: string): Promise<boolean> {
  try {
    await fsp.unlink(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') return false;
  }
  await fsp.unlink(file.replace(/\.dmp$/, '.meta')).catch(() => undefined);
  return true;
}
