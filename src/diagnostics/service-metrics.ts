import type { Clock } from '../clock.js';
import { MetricsLogReporter } from '../runtime/metrics-log-reporter.js';
import { RollingMetrics, type MetricsReport } from '../runtime/rolling-metrics.js';
import type { ServiceReporter } from './service-reporter.js';
import type { DiagnosticsMetrics } from './types.js';

/**
 * The app's call timings: kept in a rolling window and written to the log once a window while calls
 * are recorded. `api` is what the app calls; a fault in it is counted, never thrown into the app.
 */
export class ServiceMetrics {
  readonly api: DiagnosticsMetrics;
  private readonly rolling: RollingMetrics;
  private readonly logReporter: MetricsLogReporter;

  constructor(clock: Clock, windowMs: number | undefined, reporter: ServiceReporter) {
    this.rolling = new RollingMetrics({ clock, windowMs });
    this.logReporter = new MetricsLogReporter({
      clock,
      intervalMs: this.rolling.windowMs,
      report: () => this.rolling.report(),
      write: (summary, report) => reporter.log('info', summary, { metrics: report }),
      onFault: (error) => reporter.fault('metrics', error),
    });
    this.api = {
      record: (method, durationMs, ok) => {
        try {
          this.rolling.record(method, durationMs, ok);
          this.logReporter.noteRecord();
        } catch (error) {
          reporter.fault('metrics', error);
        }
      },
      report: () => this.rolling.report(),
    };
  }

  report(): MetricsReport {
    return this.rolling.report();
  }

  start(): void {
    this.logReporter.start();
  }

  stop(): void {
    this.logReporter.stop();
  }
}
