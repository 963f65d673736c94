import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { listDumpFiles } from '../minidump/crash-dir.js';
import { CRASH_REPORT_ID_FIELD } from '../minidump/dump-for-incident.js';
import { tryReadMinidump } from '../minidump/read-minidump.js';
import { summarise } from '../minidump/summary.js';

/** Crashpad's `ptype` of the main process. */
const BROWSER = 'browser';

/**
 * Incidents for the main-process dumps of an earlier run: Crashpad `ptype` browser, written after
 * the last run started, not bundled before. A main process cannot report its own crash, so it is
 * found on the next start. Shaped as Electron's `child-process-gone` of type `Browser`, reason
 * `crashed`, the exit code the signal or exception code and the name the crashing module, so the
 * fingerprint follows the crash reason and the module; `crashReportId` ties it to its dump.
 */
export async function mainProcessCrashes(crashDir: string, since: number, isBundled: (reportId: string) => boolean): Promise<Array<Record<string, unknown>>> {
  const incidents: Array<Record<string, unknown>> = [];
  for (const dump of await listDumpFiles(crashDir)) {
    if (dump.mtimeMs <= since) continue;
    const id = path.basename(dump.file).replace(/\.dmp$/i, '');
    if (isBundled(id)) continue;
    const bytes = await fsp.readFile(dump.file).catch(() => null);
    if (!bytes) continue;
    const read = tryReadMinidump(bytes);
    if (!read.ok) continue;
    const summary = summarise(read.dump, bytes);
    if (summary.processType !== BROWSER) continue;
    const module = summary.crashingModule ? path.basename(summary.crashingModule.replace(/\\/g, '/')) : '';
    const incident: Record<string, unknown> = {
      kind: 'child-process-gone',
      type: 'Browser',
      reason: 'crashed',
      ...(read.dump.exception ? { exitCode: read.dump.exception.code | 0 } : {}),
      name: module,
      crashReason: summary.crashReason,
      occurredAt: new Date(dump.mtimeMs).toISOString(),
      source: 'crashpad',
      [CRASH_REPORT_ID_FIELD]: id,
    };
    const pid = Number(summary.annotations.pid);
    if (Number.isInteger(pid) && pid > 0) incident.pid = pid;
    incidents.push(incident);
  }
  return incidents;
}
