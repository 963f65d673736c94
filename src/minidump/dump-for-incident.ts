import path from 'node:path';
import { listDumpFiles } from './crash-dir.js';
import { findDumpForIncident, processTypeOf, type MatchOptions } from './match-dump.js';

/** The incident field that names its dump directly (a main-process crash found on start). */
export const CRASH_REPORT_ID_FIELD = 'crashReportId';

export interface LocatedDump {
  file: string;
  bytes: number;
  matchedBy: 'report-id' | 'pid' | 'time';
}

/**
 * The dump of the crash an incident describes: the one its `crashReportId` names, else the matcher's
 * (process type and pid, then time, once the file has stopped growing). Null for an incident about
 * no native process (a sidecar, a failed load) or when no dump turns up in time.
 */
export async function locateDumpForIncident(crashDir: string, incident: Record<string, unknown>, options: MatchOptions): Promise<LocatedDump | null> {
  const reportId = incident[CRASH_REPORT_ID_FIELD];
  if (typeof reportId === 'string' && reportId !== '') {
    const named = (await listDumpFiles(crashDir)).find((d) => path.basename(d.file) === `${reportId}.dmp`);
    return named ? { file: named.file, bytes: named.bytes, matchedBy: 'report-id' } : null;
  }
  const processType = processTypeOf(incident);
  if (processType === null) return null;
  const occurredAt = timeOf(incident.occurredAt) ?? options.clock.now();
  const pid = typeof incident.pid === 'number' && Number.isInteger(incident.pid) ? incident.pid : undefined;
  const match = await findDumpForIncident(crashDir, { processType, occurredAt, ...(pid !== undefined ? { pid } : {}) }, options);
  return match ? { file: match.file, bytes: match.bytes, matchedBy: match.matchedBy } : null;
}

function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
