import os from 'node:os';
import type { Redactor } from '../bundle/redactor.js';
import type { Clock } from '../clock.js';
import { isDiagError } from '../errors.js';
import type { FingerprintResult } from '../incidents/fingerprint.js';
import type { MetricsReport } from '../runtime/rolling-metrics.js';
import type { BundleEvent } from './types.js';

export interface IncidentBundleWriterOptions {
  logDir: string;
  bundlesDir: string;
  homedir: string;
  app: { name: string; version: string };
  bounds: { lines?: number; maxLineBytes?: number; maxBundleBytes?: number };
  clock: Clock;
  /** The state as it is now (null when the store could not open). */
  snapshotState: () => unknown;
  metricsReport: () => MetricsReport;
  /** A log read that failed for another reason than "no logs yet" (the bundle is still written). */
  onLogReadFault: (error: unknown) => void;
}

/**
 * Writes the bundle for one admitted incident: the last log lines, the state and the rolling metrics.
 * The builder, the redactor and the log reader (archiver among them) are imported on the first bundle,
 * so embedding codex-diag costs the app's start-up nothing.
 */
export class IncidentBundleWriter {
  private redactor: Redactor | undefined;

  constructor(private readonly options: IncidentBundleWriterOptions) {}

  async write(incident: Record<string, unknown>, fingerprint: FingerprintResult, suppressedCount: number): Promise<BundleEvent> {
    const [{ buildBundle }, { createRedactor }, { readLastLines }, { DEFAULT_BUNDLE_BOUNDS }] = await Promise.all([
      import('../bundle/builder.js'),
      import('../bundle/redactor.js'),
      import('../logs/read-last-lines.js'),
      import('../bundle/bounds.js'),
    ]);
    const { bounds } = this.options;
    this.redactor ??= createRedactor({ homedir: this.options.homedir, username: safeUsername() });
    const maxLines = bounds.lines ?? DEFAULT_BUNDLE_BOUNDS.maxLines;
    let lines: Awaited<ReturnType<typeof readLastLines>>['lines'] = [];
    try {
      lines = (await readLastLines({ logDir: this.options.logDir, count: maxLines, ...(bounds.maxLineBytes ? { maxLineBytes: bounds.maxLineBytes } : {}) })).lines;
    } catch (error) {
      // No log dir or no logs yet: the bundle still carries the incident, state and system info.
      if (!(isDiagError(error) && (error.code === 'NO_LOGS' || error.code === 'NOT_FOUND'))) this.options.onLogReadFault(error);
    }
    const metrics = this.options.metricsReport();
    const built = await buildBundle(
      {
        incident,
        fingerprint,
        lines,
        state: this.options.snapshotState(),
        ...(Object.keys(metrics.methods).length > 0 ? { metrics } : {}),
        app: this.options.app,
        suppressedCount,
      },
      {
        outDir: this.options.bundlesDir,
        bounds: {
          maxLines,
          ...(bounds.maxLineBytes ? { maxLineBytes: bounds.maxLineBytes } : {}),
          ...(bounds.maxBundleBytes ? { maxBundleBytes: bounds.maxBundleBytes } : {}),
        },
        redactor: this.redactor,
        clock: this.options.clock,
      },
    );
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
}

/** The user name the redactor removes from paths; unknown (no passwd entry) means none. */
function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
