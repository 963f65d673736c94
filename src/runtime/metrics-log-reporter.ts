import type { Clock } from '../clock.js';
import { reportSafely } from '../safe-call.js';
import type { MetricsReport } from './rolling-metrics.js';

export interface MetricsLogReporterOptions {
  clock: Clock;
  /** How often a report is written (diagnostics: every `metrics.windowMs`). */
  intervalMs: number;
  /** The current rolling report. */
  report: () => MetricsReport;
  /** Writes one report to the log: the summary line and the report itself. */
  write: (summary: string, report: MetricsReport) => void;
  onFault?: (error: unknown) => void;
}

/** Methods named in the summary line; the rest are counted as "+N more" (the full report rides along). */
const SUMMARY_METHODS = 8;

/**
 * Writes the rolling request metrics to the log every `intervalMs`, but only when something was
 * recorded since the last report, so an idle app does not fill its log with empty reports. The timer
 * comes from the injected clock (systemClock's are unref'd: it never keeps the process alive).
 * Each report covers the sliding window as it stands, so a request recorded in the window's oldest
 * time slice (the first 1/60 of an interval) may already have aged out of the next report; bundles
 * carry the window as it is at the incident.
 */
export class MetricsLogReporter {
  private timer: unknown;
  private recordedSinceReport = false;
  private stopped = false;

  constructor(private readonly options: MetricsLogReporterOptions) {}

  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.schedule();
  }

  /** Called for every record: O(1). */
  noteRecord(): void {
    this.recordedSinceReport = true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.tick();
      this.schedule();
    }, this.options.intervalMs);
  }

  private tick(): void {
    if (!this.recordedSinceReport) return;
    this.recordedSinceReport = false;
    try {
      const report = this.options.report();
      if (Object.keys(report.methods).length === 0) return;
      this.options.write(summarizeMetrics(report), report);
    } catch (error) {
      // a failing fault sink must not stop the reports
      reportSafely(this.options.onFault, error);
    }
  }
}

/** One line: `request metrics (60s): thread/start n=12 err=8.3% p50=110ms p95=240ms p99=250ms max=251ms; ...`. */
export function summarizeMetrics(report: MetricsReport): string {
  const methods = Object.entries(report.methods).sort((a, b) => b[1].count - a[1].count);
  const parts = methods.slice(0, SUMMARY_METHODS).map(
    ([name, m]) => `${name} n=${m.count} err=${round(m.errorRate * 100)}% p50=${round(m.p50)}ms p95=${round(m.p95)}ms p99=${round(m.p99)}ms max=${round(m.max)}ms`,
  );
  if (methods.length > SUMMARY_METHODS) parts.push(`+${methods.length - SUMMARY_METHODS} more`);
  return `request metrics (${round(report.windowMs / 1000)}s): ${parts.join('; ')}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
