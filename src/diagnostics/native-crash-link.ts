import path from 'node:path';
import type { NativeDumpSpec } from '../bundle/native-dump-job.js';
import type { Clock } from '../clock.js';
import type { CrashDirBounds } from '../minidump/crash-dir-bounds.js';
import { NativeCrashLedger, type CrashDumpStats } from '../minidump/native-crash-ledger.js';
import type { ServiceReporter } from './service-reporter.js';

/** `minidumps` option: scrubbed (default), raw (unscrubbed, the app's explicit choice) or off (none sent). */
export type MinidumpMode = 'scrubbed' | 'raw' | 'off';

export interface NativeCrashLinkOptions {
  dataDir: string;
  clock: Clock;
  mode: MinidumpMode;
  /** The `crashDumps` option: the dir's bounds and how long an incident waits for its dump. */
  bounds: Partial<CrashDirBounds>;
  /** How long an incident waits for its dump to appear and stop growing (default 10 s). */
  waitMs?: number;
  reporter: ServiceReporter;
  /** Records an incident of its own (a main-process crash found on start). */
  recordIncident: (incident: Record<string, unknown>) => Promise<unknown>;
  /** Work close() waits for. */
  track: (task: Promise<unknown>) => void;
}

const DEFAULT_WAIT_MS = 10_000;

/**
 * The service's side of native crashes: once the crash dumps dir is known (the `crashDir` option, or
 * attachToApp's `app.getPath('crashDumps')`), it finds each renderer/GPU/utility incident's dump for
 * its bundle, turns a main-process dump from the last run into an incident of its own, and keeps the
 * dir within its bounds. Everything runs after start-up and off the caller's path; a fault is counted
 * (`native`), never thrown.
 */
export class NativeCrashLink {
  private crashDir: string | null = null;
  private readonly ledger: NativeCrashLedger;
  private opened: Promise<number | null> | undefined;
  private tidying: Promise<void> = Promise.resolve();

  constructor(private readonly options: NativeCrashLinkOptions) {
    this.ledger = new NativeCrashLedger(options.dataDir);
  }

  get dir(): string | null {
    return this.crashDir;
  }

  /** The first dir wins: attachToApp and the option name the same place. */
  setCrashDir(dir: string): void {
    if (this.crashDir !== null || typeof dir !== 'string' || dir === '') return;
    this.crashDir = dir;
    this.options.track(this.catchUp(dir));
  }

  /** The dump a bundle for this incident carries, or null (none, off, or not found in time). */
  async dumpFor(incident: Record<string, unknown>): Promise<NativeDumpSpec | null> {
    const dir = this.crashDir;
    if (dir === null || this.options.mode === 'off') return null;
    try {
      await this.openRun();
      const { locateDumpForIncident } = await import('../minidump/dump-for-incident.js');
      const located = await locateDumpForIncident(dir, incident, { clock: this.options.clock, deadlineMs: this.options.waitMs ?? DEFAULT_WAIT_MS });
      if (!located || this.ledger.isBundled(reportId(located.file))) return null;
      return { file: located.file, mode: this.options.mode };
    } catch (error) {
      this.options.reporter.fault('native', error);
      return null;
    }
  }

  /** A bundle now carries this dump: never reported again, and the dir may let it go. */
  bundled(file: string): void {
    this.options.track(
      this.ledger
        .markBundled(reportId(file))
        .then(() => this.tidy())
        .catch((error: unknown) => this.options.reporter.fault('native', error)),
    );
  }

  /** Dumps deleted so far, by reason, and bundled (across runs, once start-up has read the ledger). */
  stats(): CrashDumpStats {
    return this.ledger.stats();
  }

  /** Resolves when the dir's clean-up queued so far has run. */
  idle(): Promise<void> {
    return this.tidying;
  }

  private openRun(): Promise<number | null> {
    this.opened ??= this.ledger.openRun(this.options.clock.now());
    return this.opened;
  }

  /** A main-process dump newer than the last run's start becomes an incident; then the dir is tidied. */
  private async catchUp(dir: string): Promise<void> {
    try {
      const lastRunStartedAt = await this.openRun();
      if (lastRunStartedAt !== null && this.options.mode !== 'off') {
        const { mainProcessCrashes } = await import('./main-process-crash.js');
        for (const incident of await mainProcessCrashes(dir, lastRunStartedAt, (id) => this.ledger.isBundled(id))) {
          this.options.reporter.log('warn', 'main process crash of the last run found', { crashReportId: incident.crashReportId });
          await this.options.recordIncident(incident);
        }
      }
    } catch (error) {
      this.options.reporter.fault('native', error);
    }
    await this.tidy();
  }

  /** One clean-up at a time; each deletion is logged and counted in the ledger. */
  private tidy(): Promise<void> {
    const dir = this.crashDir;
    if (dir === null) return this.tidying;
    this.tidying = this.tidying.then(async () => {
      try {
        const [{ boundCrashDir }, { listDumpFiles }] = await Promise.all([import('../minidump/crash-dir-bounds.js'), import('../minidump/crash-dir.js')]);
        const ids = this.ledger.bundledIds();
        const bundled = new Set((await listDumpFiles(dir)).filter((d) => ids.has(reportId(d.file))).map((d) => d.file));
        const result = await boundCrashDir(dir, { now: this.options.clock.now(), bundled, bounds: this.options.bounds });
        for (const d of result.deleted) this.options.reporter.log('info', 'crash dump deleted', { file: path.basename(d.file), bytes: d.bytes, reason: d.reason });
        await this.ledger.countDeletions(result.deleted);
      } catch (error) {
        this.options.reporter.fault('native', error);
      }
    });
    return this.tidying;
  }
}

function reportId(file: string): string {
  return path.basename(file).replace(/\.dmp$/i, '');
}
