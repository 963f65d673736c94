import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Where Crashpad keeps reports: `pending/` and `completed/` (macOS, Linux), `reports/` (Windows). `new/` is being written. */
export const REPORT_SUBDIRS = ['pending', 'completed', 'reports'] as const;

export interface DumpFile {
  file: string;
  bytes: number;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
}

/** Every finished `.dmp` in a Crashpad dump dir, oldest first; a missing dir is an empty list. */
export async function listDumpFiles(crashDir: string): Promise<DumpFile[]> {
  const out: DumpFile[] = [];
  for (const sub of REPORT_SUBDIRS) {
    const dir = path.join(crashDir, sub);
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.dmp')) continue;
      const file = path.join(dir, name);
      const stat = await fsp.stat(file).catch(() => undefined);
      if (stat?.isFile()) out.push({ file, bytes: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
}
