import { promises as fsp } from 'node:fs';
import { systemClock } from '../clock.js';
import type { NativeDumpInput } from '../bundle/native-entry.js';
import type { Redactor } from '../bundle/redactor.js';

/** What `export --json` reports of the dump (contract: `minidump: {path, processType, crashReason, scrubbed} | null`). */
export interface ExportMinidump {
  /** The dump in the crash dir the bundle's `native/<id>.dmp` was made from. */
  path: string;
  processType: string | null;
  crashReason: string | null;
  scrubbed: boolean;
}

/** The CLI looks at dumps already written: a short wait covers one that is still being finished. */
const CLI_MATCH = { deadlineMs: 1_000, pollMs: 100 };

/**
 * The incident's dump from the crash dir, scrubbed (a copy: the crash dir is never written), for
 * the bundle. A missing crash dir or no matching dump is null; a dump that does not read is
 * `warn`ed about and left out: the bundle is still written.
 */
export async function exportMinidump(
  crashDir: string,
  incident: Record<string, unknown> | null,
  identity: { homedir: string; username: string },
  redactor: Redactor,
  warn: (message: string) => void,
): Promise<{ native: NativeDumpInput; report: ExportMinidump } | null> {
  if (!incident) return null;
  // No crash dir (the app never crashed, or writes elsewhere): no dump, and nothing to wait for.
  if (!(await fsp.stat(crashDir).then((s) => s.isDirectory(), () => false))) return null;
  const { locateDumpForIncident } = await import('../minidump/dump-for-incident.js');
  const located = await locateDumpForIncident(crashDir, incident, { clock: systemClock, ...CLI_MATCH });
  if (!located) {
    for (const bad of await unreadableDumps(crashDir)) warn(`minidump ${bad.file} does not read, not bundled: ${bad.error}`);
    return null;
  }
  const { prepareNativeDump } = await import('../bundle/native-dump-job.js');
  const native = await prepareNativeDump({ file: located.file, mode: 'scrubbed' }, identity, redactor);
  if (native.bytes === null) {
    warn(`minidump ${located.file} left out of the bundle: ${native.omitted ?? 'unreadable'}`);
    return null;
  }
  return { native, report: { path: located.file, processType: native.processType, crashReason: native.crashReason, scrubbed: native.scrub !== null } };
}

/** Dumps in the crash dir that do not read (the matcher skips them): each is worth a warning when none matched. */
async function unreadableDumps(crashDir: string): Promise<Array<{ file: string; error: string }>> {
  const [{ listDumpFiles }, { tryReadMinidump }] = await Promise.all([import('../minidump/crash-dir.js'), import('../minidump/read-minidump.js')]);
  const out = [];
  for (const dump of await listDumpFiles(crashDir)) {
    const bytes = await fsp.readFile(dump.file).catch(() => null);
    if (!bytes) continue;
    const read = tryReadMinidump(bytes);
    if (!read.ok) out.push({ file: dump.file, error: read.error.message });
  }
  return out;
}
