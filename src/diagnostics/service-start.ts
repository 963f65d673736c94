import type { Clock } from '../clock.js';
import { StateStore } from '../state/store.js';
import type { ServiceReporter } from './service-reporter.js';

export interface LogOption {
  name?: string | undefined;
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' | undefined;
  size?: string | number | undefined;
  limit?: number | undefined;
}

/**
 * Starts codex-diag's own log (pino-roll in pino's worker thread) and hands it to the reporter.
 * pino loads here, on the call; a failure is a fault and the service runs without its log.
 */
export async function openServiceLog(logDir: string, log: LogOption | false | undefined, reporter: ServiceReporter): Promise<void> {
  if (log === false) return;
  try {
    const { createLogger } = await import('../logs/logger.js');
    const o = log ?? {};
    reporter.logger = createLogger({
      logDir,
      name: o.name ?? 'codex-diag',
      ...(o.level !== undefined ? { level: o.level } : {}),
      ...(o.size !== undefined ? { size: o.size } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      onError: () => reporter.counter.fault('log'),
    });
  } catch (error) {
    reporter.fault('log', error);
  }
}

/** Opens the state store; undefined (a counted fault) when it cannot be opened. */
export async function openServiceState(file: string, clock: Clock, reporter: ServiceReporter): Promise<StateStore | undefined> {
  try {
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
