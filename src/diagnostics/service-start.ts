import type { Clock } from '../clock.js';
import type { DiagLogger } from '../logs/logger.js';
import type { StateStore } from '../state/store.js';
import { loadSchemaLibraryInSteps } from './schema-library-steps.js';
import type { ServiceReporter } from './service-reporter.js';
import type { StateLink } from './state-link.js';

export interface LogOption {
  name?: string | undefined;
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' | undefined;
  size?: string | number | undefined;
  limit?: number | undefined;
}

/**
 * Starts codex-diag's own log (pino-roll in pino's worker thread, which starts on its own: nothing
 * waits for it). pino loads here, on the call; a failure is a fault and the service runs without its log.
 */
export async function openServiceLog(logDir: string, log: LogOption | false | undefined, reporter: ServiceReporter): Promise<DiagLogger | undefined> {
  if (log === false) return undefined;
  try {
    const { openLogger } = await import('../logs/logger.js');
    const o = log ?? {};
    return await openLogger({
      logDir,
      name: o.name ?? 'codex-diag',
      ...(o.level !== undefined ? { level: o.level } : {}),
      ...(o.size !== undefined ? { size: o.size } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      onError: () => reporter.counter.fault('log'),
    });
  } catch (error) {
    reporter.fault('log', error);
    return undefined;
  }
}

/**
 * Opens the state store; undefined (a counted fault) when it cannot be opened. The store and the
 * schema library it validates with load here, on the call, in steps: the library, the state's
 * schemas, then the store, so no single step holds the event loop for long.
 */
export async function openServiceState(file: string, clock: Clock, reporter: ServiceReporter): Promise<StateStore | undefined> {
  try {
    await loadSchemaLibraryInSteps();
    await import('../state/schemas.js');
    const { StateStore } = await import('../state/store.js');
    return await StateStore.open({
      file,
      clock,
      warn: (problem) => reporter.log('warn', problem.message, { code: problem.code }),
    });
  } catch (error) {
    reporter.fault('state', error);
    return undefined;
  }
}

export interface LogThenStateOptions {
  logDir: string;
  log: LogOption | false | undefined;
  stateFile: string;
  clock: Clock;
  closeTimeoutMs: number;
  reporter: ServiceReporter;
  stateLink: StateLink;
}

/**
 * Opens the log, then the state, after createDiagnostics has returned: each loads its modules (pino;
 * the schema library) in its own turn of the event loop. What is recorded meanwhile is held and
 * written when they open. Never rejects; close() waits for it within its budget.
 */
export async function openLogThenState(o: LogThenStateOptions): Promise<void> {
  try {
    const logger = await openServiceLog(o.logDir, o.log, o.reporter);
    // close() ran out of time waiting for start-up and took the log already: end this one too.
    if (!o.reporter.attachLogger(logger)) void logger?.close({ timeoutMs: o.closeTimeoutMs, clock: o.clock });
    o.stateLink.attach(await openServiceState(o.stateFile, o.clock, o.reporter));
  } catch (error) {
    o.reporter.attachLogger(undefined);
    o.stateLink.attach(undefined);
    o.reporter.fault('start', error);
  }
}
