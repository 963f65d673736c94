import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pidIsAlive } from '../pid-alive.js';

/** Past this age a temp file is swept even if its pid is alive: pids are reused. */
export const TEMP_FILE_MAX_AGE_MS = 60 * 60 * 1000;

export interface SweepOptions {
  isAlive?: (pid: number) => boolean;
  /** Wall time now, for the age bound (file mtimes are wall time). */
  now?: () => number;
  maxAgeMs?: number;
}

/**
 * Removes the temp files (`.<name>.<pid>.<hex>.tmp`, see tempPathFor) that writers killed mid-write
 * left in `dir`: those whose writer is dead, or that are older than `maxAgeMs`. A live writer's
 * fresh temp file is left alone. Best effort: returns what it removed, never throws.
 */
export async function sweepStaleTempFiles(dir: string, options: SweepOptions = {}): Promise<string[]> {
  const isAlive = options.isAlive ?? pidIsAlive;
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? TEMP_FILE_MAX_AGE_MS;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const file = path.join(dir, name);
    try {
      const stat = await fsp.lstat(file);
      if (!stat.isFile()) continue;
      const writerGone = pid !== process.pid && !isAlive(pid);
      if (!writerGone && now() - stat.mtimeMs <= maxAgeMs) continue;
      await fsp.rm(file, { force: true });
      removed.push(file);
    } catch {
      // raced with its writer or another sweeper: leave it
    }
  }
  return removed;
}
