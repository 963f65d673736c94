import { describe, expect, it } from 'vitest';
import { MetricsLogReporter, summarizeMetrics } from '../../src/runtime/metrics-log-reporter.js';
import { RollingMetrics } from '../../src/runtime/rolling-metrics.js';
import type { MetricsReport } from '../../src/runtime/rolling-metrics.js';
import { ManualClock } from '../helpers/manual-clock.js';

function setup() {
  const clock = new ManualClock();
  const rolling = new RollingMetrics({ clock, windowMs: 10_000 });
  const written: Array<{ summary: string; report: MetricsReport }> = [];
  const faults: unknown[] = [];
  const reporter = new MetricsLogReporter({
    clock,
    intervalMs: 10_000,
    report: () => rolling.report(),
    write: (summary, report) => written.push({ summary, report }),
    onFault: (error) => faults.push(error),
  });
  const record = (method: string, ms: number, ok = true) => {
    rolling.record(method, ms, ok);
    reporter.noteRecord();
  };
  return { clock, rolling, reporter, written, faults, record };
}

describe('periodic metrics report to the log', () => {
  it('writes one report per interval while requests are recorded, none while idle', () => {
    const { clock, reporter, written, record } = setup();
    reporter.start();
    clock.advance(10_000);
    expect(written).toHaveLength(0); // nothing recorded yet

    clock.advance(500); // a report covers the last windowMs: records in its oldest slice have aged out
    record('thread/start', 100);
    record('thread/start', 300, false);
    clock.advance(9_499);
    expect(written).toHaveLength(0);
    clock.advance(1);
    expect(written).toHaveLength(1);
    expect(written[0]!.report.methods['thread/start']).toMatchObject({ count: 2, errorRate: 0.5 });
    expect(written[0]!.summary).toMatch(/^request metrics \(10s\): thread\/start n=2 err=50% p50=\d/);
    expect(written[0]!.summary).not.toContain('\n');

    clock.advance(30_000); // idle: no new records, no new reports
    expect(written).toHaveLength(1);

    clock.advance(5_000);
    record('turn/run', 42);
    clock.advance(5_000);
    expect(written).toHaveLength(2);
    expect(Object.keys(written[1]!.report.methods)).toEqual(['turn/run']);
  });

  it('stops for good on stop(), leaving no timer behind', () => {
    const { clock, reporter, written, record } = setup();
    reporter.start();
    reporter.start(); // idempotent: one timer
    expect(clock.pending).toBe(1);
    record('thread/start', 1);
    reporter.stop();
    expect(clock.pending).toBe(0);
    clock.advance(100_000);
    expect(written).toHaveLength(0);
    reporter.start(); // a stopped reporter stays stopped
    expect(clock.pending).toBe(0);
  });

  it('counts a failing report or write and keeps reporting', () => {
    const clock = new ManualClock();
    const faults: unknown[] = [];
    let calls = 0;
    const reporter = new MetricsLogReporter({
      clock,
      intervalMs: 1_000,
      report: () => ({ windowMs: 1_000, methods: { m: { count: 1, errorRate: 0, p50: 1, p95: 1, p99: 1, max: 1 } }, overflowRecords: 0 }),
      write: () => {
        calls++;
        throw new Error('disk full');
      },
      onFault: (error) => faults.push(error),
    });
    reporter.start();
    reporter.noteRecord();
    clock.advance(1_000);
    reporter.noteRecord();
    clock.advance(1_000);
    expect(calls).toBe(2);
    expect(faults).toHaveLength(2);
  });

  it('names the busiest methods first and says how many more there are', () => {
    const methods = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`m${i}`, { count: i + 1, errorRate: 0, p50: 1, p95: 2, p99: 3, max: 4 }]),
    );
    const summary = summarizeMetrics({ windowMs: 60_000, methods, overflowRecords: 0 });
    expect(summary.startsWith('request metrics (60s): m9 n=10 ')).toBe(true);
    expect(summary.endsWith('; +2 more')).toBe(true);
  });
});
