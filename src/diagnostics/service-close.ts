import { MAX_TIMER_MS, type Clock } from '../clock.js';
import type { ServiceReporter } from './service-reporter.js';
import type { ServiceSidecars } from './sidecars.js';
import type { CloseResult } from './types.js';
import type { UploadLink } from './upload-link.js';
import { within } from './within.js';

export interface ClosingService {
  clock: Clock;
  reporter: ServiceReporter;
  /** Stops the service's own timers (watchdog, metrics, the scheduled upload start). */
  stopTimers(): void;
  /** Start-up still running (the log and the state open after createDiagnostics returned), and incidents being processed. */
  inflight(): Promise<unknown>[];
  /** Ends the bundle worker. */
  bundles: { close(): Promise<void> };
  uploads: UploadLink;
  /** Queues the session's `exited` update (release health), before the uploader's last flush. */
  endSession?: () => Promise<void>;
  state: { close(): Promise<void> };
  sidecars: ServiceSidecars;
  /** The delivery budget's ledger writes in flight. */
  budget?: { idle(): Promise<void> };
}

/**
 * The bounded flush: incidents in flight, then state, uploads and sidecars together, then the log.
 * Resolves within `budget` ms of the clock whatever the disk or network does.
 */
export function closeService(service: ClosingService, budget: number): Promise<CloseResult> {
  const { clock, reporter } = service;
  const startedAt = clock.now();
  const left = () => Math.max(1, budget - (clock.now() - startedAt));
  const work = (async () => {
    service.stopTimers();
    // Incidents being written get up to half the budget; the flush below needs the rest.
    await within(clock, Promise.allSettled(service.inflight()), budget / 2);
    if (service.endSession) await within(clock, service.endSession(), left() / 4);
    const loading = service.uploads.loaded();
    const uploader = loading ? await within(clock, loading, left()) : undefined;
    await Promise.allSettled([
      service.state.close(),
      service.budget?.idle(),
      // The last drain re-scrubs minidumps in the bundle worker: it ends after the uploader's flush.
      Promise.resolve(uploader?.close({ timeoutMs: Math.max(1, left() - 100) })).finally(() => service.bundles.close()),
      // Half of what is left between SIGTERM and SIGKILL, so even a sidecar that ignores SIGTERM is gone in budget.
      ...service.sidecars.stopAll(Math.floor(left() / 2)),
    ]);
    // Records written after this point would only fail against a closed transport.
    const logger = reporter.detachLogger();
    // By the service's clock, like the rest of the budget: a log worker slow to start under load
    // is waited for, not stopped by a wall-clock timer while the clock says there is time.
    await logger?.close({ timeoutMs: left(), clock });
    return true;
  })().catch((error: unknown) => {
    reporter.fault('close', error);
    return false;
  });
  // The clock's timers are unref'd, and so are pino's worker and the kill timers: without one
  // referenced handle a host that ends with `await diag.close()` would exit mid-flush, before close
  // resolves and before whatever it does next. A real timer, so it is bounded even with a test clock.
  const keepAlive = setTimeout(() => undefined, budget);
  return within(clock, work, budget)
    .then((done) => ({ completed: done === true, elapsedMs: clock.now() - startedAt }))
    .finally(() => clearTimeout(keepAlive));
}

/**
 * The budget asked for, or the default when it is not a positive number. Capped at the largest
 * timer delay: past it Node fires a timer after 1 ms (with a warning), which would end the flush at once.
 */
export function closeBudget(options: unknown, defaultMs: number, reporter: ServiceReporter): number {
  let requested: unknown;
  try {
    requested = (options as { timeoutMs?: unknown } | null | undefined)?.timeoutMs;
  } catch (error) {
    reporter.fault('close', error);
  }
  if (requested === undefined) return defaultMs;
  if (typeof requested !== 'number' || Number.isNaN(requested) || requested <= 0) {
    reporter.malformed('close', `close: timeoutMs must be a positive number of ms, got ${String(requested)}; using ${defaultMs}`);
    return defaultMs;
  }
  return Math.min(requested, MAX_TIMER_MS);
}
