import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DEFAULT_BUNDLE_BOUNDS } from '../bundle/bounds.js';
import type { BundleJob } from '../bundle/bundle-job.js';
import type { BundleRunner } from '../bundle/bundle-runner.js';
import type { NativeDumpSpec } from '../bundle/native-dump-job.js';
import type { AppInfo } from '../bundle/system-info.js';
import type { Clock } from '../clock.js';
import type { FingerprintResult } from '../incidents/fingerprint.js';
import type { MetricsReport } from '../runtime/rolling-metrics.js';
import type { BundleEvent } from './types.js';

export interface IncidentBundleWriterOptions {
  logDir: string;
  bundlesDir: string;
  homedir: string;
  /** The app as bundles record it (system.json `app`): name, version, and the Sentry dist and environment. */
  app: AppInfo;
  bounds: { lines?: number; maxLineBytes?: number; maxBundleBytes?: number };
  clock: Clock;
  /** The state as it is now (null when the store could not open). */
  snapshotState: () => unknown;
  metricsReport: () => MetricsReport;
  /** A log read that failed for another reason than "no logs yet" (the bundle is still written). */
  onLogReadFault: (error: unknown) => void;
  /** No worker thread could start: bundles are built on the main thread in slices. */
  onWorkerFallback: (error: unknown) => void;
  /** Where bundles are built; default a worker thread (started on the first bundle) with the main-thread fallback. */
  runner?: BundleRunner;
  /** Bundle id source (default crypto.randomUUID). */
  newId?: () => string;
  /** The crashed process's dump for this incident, if any (waits, bounded, until it is written). */
  nativeDump?: (incident: Record<string, unknown>) => Promise<NativeDumpSpec | null>;
  /** A bundle now carries this dump. */
  onNativeBundled?: (file: string) => void;
}

/**
 * Writes the bundle for one admitted incident. The main thread only gathers what it alone has (the
 * incident, the state, the metrics, the time and an id) into a job; reading the log tail, redaction,
 * the zip and the hashes run in the bundle worker, which with archiver loads on the first bundle.
 */
export class IncidentBundleWriter {
  private runner: Promise<BundleRunner> | undefined;

  constructor(private readonly options: IncidentBundleWriterOptions) {}

  async write(incident: Record<string, unknown>, fingerprint: FingerprintResult, suppressedCount: number): Promise<BundleEvent> {
    const runner = await this.getRunner();
    const native = (await this.options.nativeDump?.(incident)) ?? null;
    const job = await this.jobFor(incident, fingerprint, suppressedCount);
    const built = await runner.run(native ? { ...job, native } : job);
    if (built.logReadFault !== undefined) this.options.onLogReadFault(new Error(built.logReadFault));
    if (native && built.native?.path) this.options.onNativeBundled?.(native.file);
    return {
      path: built.path,
      bytes: built.bytes,
      sha256: built.sha256,
      bundleId: built.bundleId,
      fingerprint: fingerprint.fingerprint,
      title: fingerprint.title,
      lines: built.lines,
      suppressedCount,
    };
  }

  /** Scrubs an outgoing minidump in the bundle worker (paced here when no worker can start); resolves to the scrubbed bytes. */
  async scrubMinidump(bytes: Uint8Array, redaction: { homedir: string; username: string }): Promise<Uint8Array> {
    const runner = await this.getRunner();
    return (await runner.scrubMinidump({ bytes, redaction })).bytes;
  }

  /** Ends the worker thread, if one was started. */
  async close(): Promise<void> {
    if (this.runner) await (await this.runner).close();
  }

  private async jobFor(incident: Record<string, unknown>, fingerprint: FingerprintResult, suppressedCount: number): Promise<BundleJob> {
    const { bounds, app, homedir, clock } = this.options;
    const { collectSystemInfo } = await import('../bundle/system-info.js');
    const metrics = this.options.metricsReport();
    return {
      logDir: this.options.logDir,
      bundlesDir: this.options.bundlesDir,
      bounds: {
        maxLines: bounds.lines ?? DEFAULT_BUNDLE_BOUNDS.maxLines,
        ...(bounds.maxLineBytes ? { maxLineBytes: bounds.maxLineBytes } : {}),
        ...(bounds.maxBundleBytes ? { maxBundleBytes: bounds.maxBundleBytes } : {}),
      },
      redaction: { homedir, username: safeUsername() },
      incident,
      fingerprint: { fingerprint: fingerprint.fingerprint, components: [...fingerprint.components], title: fingerprint.title },
      state: this.options.snapshotState(),
      ...(Object.keys(metrics.methods).length > 0 ? { metrics } : {}),
      app,
      system: collectSystemInfo(app),
      suppressedCount,
      createdAt: clock.now(),
      bundleId: (this.options.newId ?? randomUUID)(),
    };
  }

  private getRunner(): Promise<BundleRunner> {
    this.runner ??= this.options.runner
      ? Promise.resolve(this.options.runner)
      : import('../bundle/bundle-worker-runner.js').then(({ WorkerBundleRunner }) => new WorkerBundleRunner({ onFallback: this.options.onWorkerFallback }));
    return this.runner;
  }
}

/** The user name the redactor removes from paths; unknown (no passwd entry) means none. */
function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
