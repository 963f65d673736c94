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
  /** Only the temp files of these names (`.<owner>.<pid>.<hex>.tmp`); default every temp file in the dir. */
  owners?: readonly string[];
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
    const pid = tempFileWriterPid(name, options.owners);
    if (pid === undefined) continue;
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

/** The writer's pid in a temp file's name (`.<owner>.<pid>.<hex>.tmp`), when it is one of `owners`' (any, without). */
function tempFileWriterPid(name: string, owners: readonly string[] | undefined): number | undefined {
  if (owners === undefined) {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    return match ? Number(match[1]) : undefined;
  }
  for (const owner of owners) {
    const prefix = `.${owner}.`;
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (match) return Number(match[1]);
  }
  return undefined;
}
