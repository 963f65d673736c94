import { oneLine } from '../errors.js';
import type { DiagLogger } from '../logs/logger.js';
import { FaultCounter } from './fault-counter.js';

/** Records kept for the log while it opens (a fraction of a second); only bounds memory. */
const MAX_EARLY_RECORDS = 1_000;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

type EarlyRecord = [LogLevel, string, Record<string, unknown> | undefined];

/**
 * Where every part of the service reports: its own log and the fault counter behind `diag.faults`.
 * The log opens after createDiagnostics has returned; what is reported before is kept and written
 * first when it opens. Nothing here throws, so no report can become the app's fault.
 */
export class ServiceReporter {
  private current: DiagLogger | undefined;
  /** Records from before the log opened; null once it opened (or will not). */
  private early: EarlyRecord[] | null = [];
  private earlyDropped = 0;
  /** close() took the log: a log that opens after it is not used. */
  private ended = false;
  readonly counter = new FaultCounter();

  /** codex-diag's own log; undefined before start-up opened it and after close ended it. */
  get logger(): DiagLogger | undefined {
    return this.current;
  }

  /**
   * The log opened (or will not: undefined). What was reported before goes to it first, in order.
   * After close() took the log this returns false and the caller ends the late one.
   */
  attachLogger(logger: DiagLogger | undefined): boolean {
    if (this.ended) return false;
    const early = this.early ?? [];
    this.early = null;
    this.current = logger;
    for (const [level, message, fields] of early) this.log(level, message, fields);
    if (this.earlyDropped > 0) this.fault('log', new Error(`${this.earlyDropped} records before the log opened were dropped`));
    return true;
  }

  /** Takes the log away for close() to end it; later records are dropped. */
  detachLogger(): DiagLogger | undefined {
    const logger = this.current;
    this.current = undefined;
    this.early = null;
    this.ended = true;
    return logger;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (this.early) {
      if (this.early.length < MAX_EARLY_RECORDS) this.early.push([level, message, fields]);
      else this.earlyDropped++;
      return;
    }
    try {
      this.current?.logger[level]({ source: 'codex-diag', ...fields }, message);
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
