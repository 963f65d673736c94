import { isDiagError, oneLine } from '../errors.js';
import type { TailLine } from '../logs/types.js';
import type { Pacer } from '../runtime/time-slice.js';
import type { NativeDumpSpec } from './native-dump-job.js';
import type { BuiltBundle, BundleFingerprint } from './builder.js';
import type { Redactor } from './redactor.js';
import type { AppInfo, SystemInfo } from './system-info.js';

/**
 * Everything one incident bundle is built from, as plain data that crosses to a worker thread
 * (structured clone). The time and the bundle id are in it, so where it is built cannot change the
 * bytes: the same job gives the same zip on the main thread and in the worker.
 */
export interface BundleJob {
  /** Where the log tail is read from; null for a bundle without lines. */
  logDir: string | null;
  bundlesDir: string;
  bounds: { maxLines: number; maxLineBytes?: number; maxBundleBytes?: number };
  /** Who the redactor removes from paths and text. */
  redaction: { homedir: string; username: string };
  incident: Record<string, unknown>;
  fingerprint: BundleFingerprint;
  state: unknown;
  metrics?: unknown;
  app: AppInfo;
  system: SystemInfo;
  suppressedCount: number;
  /** The bundle's creation time (epoch ms), from the service's clock. */
  createdAt: number;
  bundleId: string;
  /** The crashed process's minidump, scrubbed into `native/<id>.dmp`. */
  native?: NativeDumpSpec;
}

export interface BundleJobResult {
  path: string;
  bytes: number;
  sha256: string;
  bundleId: string;
  lines: number;
  /** A log read that failed for another reason than "no logs yet" (the bundle was still written). */
  logReadFault?: string;
  /** What the manifest records of the dump: the entry (null when left out), and the summary. */
  native?: { path: string | null; processType: string | null; crashReason: string | null; scrubbed: boolean; omitted?: string };
}

/** One redactor per home directory and user name, kept by whoever runs jobs (its rules compile once). */
export class RedactorCache {
  private readonly redactors = new Map<string, Redactor>();

  /** `scanKernel`: see RedactorOptions (off where the cache lives on the host's main thread). */
  constructor(private readonly options: { scanKernel?: boolean } = {}) {}

  async get(redaction: BundleJob['redaction']): Promise<Redactor> {
    const key = `${redaction.homedir}\0${redaction.username}`;
    let redactor = this.redactors.get(key);
    if (!redactor) {
      const { createRedactor } = await import('./redactor.js');
      redactor = createRedactor({ ...redaction, ...this.options });
      this.redactors.set(key, redactor);
    }
    return redactor;
  }
}

/**
 * Builds the bundle a job describes: reads the log tail, redacts, parses, hashes and writes the zip.
 * The same function runs in the bundle worker and, paced by `pacer`, on the main thread.
 */
export async function runBundleJob(job: BundleJob, redactors: RedactorCache, pacer?: Pacer): Promise<BundleJobResult> {
  const [{ buildBundle }, { readLastLines }] = await Promise.all([import('./builder.js'), import('../logs/read-last-lines.js')]);
  let lines: TailLine[] = [];
  let logReadFault: string | undefined;
  if (job.logDir !== null && job.bounds.maxLines > 0) {
    try {
      const maxLineBytes = job.bounds.maxLineBytes;
      lines = (await readLastLines({ logDir: job.logDir, count: job.bounds.maxLines, ...(maxLineBytes ? { maxLineBytes } : {}) })).lines;
    } catch (error) {
      // No log dir or no logs yet: the bundle still carries the incident, state and system info.
      if (!(isDiagError(error) && (error.code === 'NO_LOGS' || error.code === 'NOT_FOUND'))) logReadFault = oneLine(error);
    }
  }
  const redactor = await redactors.get(job.redaction);
  let native;
  if (job.native) {
    const { prepareNativeDump } = await import('./native-dump-job.js');
    native = await prepareNativeDump(job.native, job.redaction, redactor, pacer);
  }
  const built = await buildBundle(
    {
      incident: job.incident,
      fingerprint: job.fingerprint,
      lines,
      state: job.state,
      ...(job.metrics !== undefined ? { metrics: job.metrics } : {}),
      app: job.app,
      system: job.system,
      suppressedCount: job.suppressedCount,
      ...(native ? { native } : {}),
    },
    {
      outDir: job.bundlesDir,
      bounds: job.bounds,
      redactor,
      clock: { now: () => job.createdAt, setTimeout: () => undefined, clearTimeout: () => undefined },
      newId: () => job.bundleId,
      ...(pacer ? { pacer } : {}),
    },
  );
  return {
    path: built.path,
    bytes: built.bytes,
    sha256: built.sha256,
    bundleId: built.bundleId,
    lines: built.lines,
    ...(logReadFault !== undefined ? { logReadFault } : {}),
    ...(built.manifest.native ? { native: nativeResult(built.manifest.native) } : {}),
  };
}

function nativeResult(native: NonNullable<BuiltBundle['manifest']['native']>): NonNullable<BundleJobResult['native']> {
  const { path, processType, crashReason, scrubbed, omitted } = native;
  return { path, processType, crashReason, scrubbed, ...(omitted !== undefined ? { omitted } : {}) };
}
