import { oneLine } from '../errors.js';
import type { DiagLogger } from '../logs/logger.js';
import { FaultCounter } from './fault-counter.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where every part of the service reports: its own log (once the logger is open) and the fault
 * counter behind `diag.faults`. Nothing here throws, so no report can become the app's fault.
 */
export class ServiceReporter {
  /** codex-diag's own log; undefined before start-up opened it and after close ended it. */
  logger: DiagLogger | undefined;
  readonly counter = new FaultCounter();

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    try {
      this.logger?.logger[level]({ source: 'codex-diag', ...fields }, message);
    } catch {
      // Logging must never be the fault that reaches the app.
    }
  }

  /** A fault inside diagnostics: counted and logged, never thrown. */
  fault(area: string, error: unknown, fields?: Record<string, unknown>): void {
    this.counter.fault(area);
    this.log('error', `diagnostics fault in ${area}: ${oneLine(error)}`, fields);
  }

  /** Bad input from the host: counted and logged as a warning, never thrown. */
  malformed(area: string, message: string): void {
    this.counter.malformedInput(area);
    this.log('warn', message);
  }

  /** Runs fn, turning what it throws into a fault of `area`. */
  guard(area: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fault(area, error);
    }
  }
}
