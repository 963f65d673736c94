import { promises as fsp } from 'node:fs';
import type { Clock } from '../clock.js';
import { listDumpFiles, type DumpFile } from './crash-dir.js';
import { tryReadMinidump } from './read-minidump.js';
import { annotatedPid, annotationMap } from './summary.js';

/** What an incident says about the process whose dump is wanted. */
export interface DumpQuery {
  /** Crashpad's `ptype`: `renderer`, `gpu-process`, `utility`, `browser`. */
  processType: string;
  pid?: number;
  /** When the incident happened, ms since the epoch. */
  occurredAt: number;
}

export interface MatchedDump extends DumpFile {
  processType: string | null;
  pid: number | null;
  matchedBy: 'pid' | 'time';
}

export interface MatchOptions {
  clock: Clock;
  /** A dump written further than this from the incident is another crash (default 2 minutes). */
  windowMs?: number;
  /** How long to wait for the dump to appear and stop growing (default 10 s). */
  deadlineMs?: number;
  /** Poll interval; the size must be the same on two polls this far apart (default 250 ms). */
  pollMs?: number;
}

/** The Crashpad `ptype` of the process an incident is about (Electron's field names). */
export function processTypeOf(incident: Record<string, unknown>): string | null {
  if (incident.kind === 'render-process-gone') return 'renderer';
  if (incident.kind !== 'child-process-gone') return null;
  switch (incident.type) {
    case 'GPU':
      return 'gpu-process';
    case 'Utility':
      return 'utility';
    case 'Zygote':
      return 'zygote';
    default:
      return typeof incident.type === 'string' ? incident.type.toLowerCase() : null;
  }
}

/**
 * Finds the dump of the crash an incident describes: same process type and pid (Crashpad's `ptype`
 * and `pid` annotations) first, else the same process type nearest in time within `windowMs`. Polls
 * (on the injected clock) until such a dump exists and its size has stopped changing, or the deadline
 * passes. A dump that does not read is skipped, never thrown.
 */
export async function findDumpForIncident(crashDir: string, query: DumpQuery, options: MatchOptions): Promise<MatchedDump | null> {
  const { clock } = options;
  const windowMs = options.windowMs ?? 120_000;
  const pollMs = options.pollMs ?? 250;
  const deadline = clock.now() + (options.deadlineMs ?? 10_000);
  let previous: MatchedDump | null = null;
  for (;;) {
    const current = await bestMatch(crashDir, query, windowMs);
    if (current && previous && current.file === previous.file && current.bytes === previous.bytes) return current;
    previous = current;
    if (clock.now() >= deadline) return null;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, pollMs));
  }
}

async function bestMatch(crashDir: string, query: DumpQuery, windowMs: number): Promise<MatchedDump | null> {
  let best: MatchedDump | null = null;
  for (const candidate of await listDumpFiles(crashDir)) {
    if (Math.abs(candidate.mtimeMs - query.occurredAt) > windowMs) continue;
    const bytes = await fsp.readFile(candidate.file).catch(() => undefined);
    if (!bytes) continue;
    const read = tryReadMinidump(bytes);
    if (!read.ok) continue; // still being written, or not a dump: looked at again on the next poll
    const annotations = annotationMap(read.dump.crashpad?.annotations ?? []);
    const processType = annotations.ptype ?? null;
    if (processType !== query.processType) continue;
    const pid = annotatedPid(read.dump);
    const matchedBy = query.pid !== undefined && pid === query.pid ? 'pid' : 'time';
    if (query.pid !== undefined && pid !== null && pid !== query.pid) continue;
    const match: MatchedDump = { ...candidate, bytes: bytes.length, processType, pid, matchedBy };
    if (!best || rank(match, query) < rank(best, query)) best = match;
  }
  return best;
}

function rank(match: MatchedDump, query: DumpQuery): number {
  return (match.matchedBy === 'pid' ? 0 : 1e15) + Math.abs(match.mtimeMs - query.occurredAt);
}
