import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagError } from '../../src/errors.js';
import { bucketIndex, bucketLowMicros, bucketValueMs, HISTOGRAM_BUCKETS } from '../../src/runtime/histogram.js';
import { OTHER_METHOD, RollingMetrics } from '../../src/runtime/rolling-metrics.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** Nearest-rank quantile of a sorted array: the ceil(q * n)-th smallest value. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Within 2% relative, or one microsecond for tiny values. */
function expectClose(estimate: number, exact: number): void {
  expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * 0.02 + 0.0015);
}

describe('log-linear histogram', () => {
  it('maps every value into a bucket whose bounds contain it, monotonically, within 1/32 width', () => {
    let previous = 0;
    for (let micros = 0; micros < 1 << 22; micros += 1 + Math.floor(micros / 97)) {
      const index = bucketIndex(micros / 1000);
      expect(index).toBeGreaterThanOrEqual(previous);
      expect(index).toBeLessThan(HISTOGRAM_BUCKETS);
      const low = bucketLowMicros(index);
      const high = bucketLowMicros(index + 1);
      expect(low).toBeLessThanOrEqual(micros);
      expect(micros).toBeLessThan(high);
      expect(high - low).toBeLessThanOrEqual(Math.max(1, low / 32));
      previous = index;
    }
    expect(bucketIndex(1e12)).toBe(HISTOGRAM_BUCKETS - 1);
    expect(bucketIndex(-5)).toBe(0);
    expect(bucketValueMs(bucketIndex(0.042))).toBe(0.042);
  });
});

describe('RollingMetrics', () => {
  it('quantiles match exact sorted-array quantiles within 2% on random latency distributions', () => {
    const random = prng(7);
    const distributions: Record<string, () => number> = {
      lognormal: () => Math.exp(3 + 1.2 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())),
      uniform: () => random() * 2000,
      bimodal: () => (random() < 0.9 ? 5 + random() * 3 : 800 + random() * 400),
      tiny: () => random() * 0.05,
    };
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const metrics = new RollingMetrics({ clock });
    const exact: Record<string, number[]> = {};
    for (const [name, draw] of Object.entries(distributions)) {
      exact[name] = Array.from({ length: 20_000 }, draw);
      for (const value of exact[name]!) metrics.record(name, value, true);
    }
    const report = metrics.report();
    for (const [name, values] of Object.entries(exact)) {
      const sorted = [...values].sort((a, b) => a - b);
      const got = report.methods[name]!;
      expect(got.count).toBe(values.length);
      expectClose(got.p50, exactQuantile(sorted, 0.5));
      expectClose(got.p95, exactQuantile(sorted, 0.95));
      expectClose(got.p99, exactQuantile(sorted, 0.99));
      expect(got.max).toBeCloseTo(sorted[sorted.length - 1]!, 3);
    }
  });

  it('any data set: every quantile within 2% of the exact one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 3_600_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const metrics = new RollingMetrics({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
        for (const v of values) metrics.record('m', v, true);
        const sorted = [...values].sort((a, b) => a - b);
        const got = metrics.report().methods.m!;
        expectClose(got.p50, exactQuantile(sorted, 0.5));
        expectClose(got.p99, exactQuantile(sorted, 0.99));
        expectClose(got.max, sorted[sorted.length - 1]!);
      }),
    );
  });

  it('slides: data older than the window drops out, newer data stays', () => {
    const clock = new ManualClock(1_000_000);
    const metrics = new RollingMetrics({ clock, windowMs: 60_000 });
    metrics.record('thread/start', 10, true);
    metrics.record('thread/start', 10, true);
    clock.advance(30_000);
    metrics.record('thread/start', 500, false);
    metrics.record('turn/start', 20, true);
    expect(metrics.report().methods['thread/start']).toMatchObject({ count: 3, max: 500 });

    clock.advance(30_500); // the first two are now more than 60 s old
    const report = metrics.report();
    expect(report.windowMs).toBe(60_000);
    expect(report.methods['thread/start']).toEqual({ count: 1, errorRate: 1, p50: 500, p95: 500, p99: 500, max: 500 });
    expect(report.methods['turn/start']!.count).toBe(1);

    clock.advance(60_000);
    expect(metrics.report().methods).toEqual({});
    // The ring slot is reused without old counts leaking into the new slice.
    metrics.record('turn/start', 1, true);
    expect(metrics.report().methods['turn/start']).toMatchObject({ count: 1, max: 1 });
  });

  it('reports the error rate', () => {
    const metrics = new RollingMetrics({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
    for (let i = 0; i < 100; i++) metrics.record('fs/read', 3, i % 4 !== 0);
    expect(metrics.report().methods['fs/read']!.errorRate).toBe(0.25);
  });

  it('reports a method named like an Object.prototype member as a method like any other', () => {
    const metrics = new RollingMetrics({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
    for (const name of ['__proto__', 'constructor', 'toString']) metrics.record(name, 5, true);
    const report = metrics.report();
    expect(Object.getPrototypeOf(report.methods)).toBe(Object.prototype);
    expect(Object.keys(report.methods)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(JSON.parse(JSON.stringify(report)).methods.__proto__).toMatchObject({ count: 1 });
  });

  it('keeps memory bounded: slices x (maxMethods + 1) histograms at most, extra methods folded into other', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const metrics = new RollingMetrics({ clock, windowMs: 10_000, slices: 10, maxMethods: 8 });
    const random = prng(3);
    for (let i = 0; i < 400_000; i++) {
      if (i % 1000 === 0) clock.advance(137);
      metrics.record(`method-${i % 50}`, random() * 100, true);
    }
    const stats = metrics.memoryStats();
    expect(stats.slices).toBe(10);
    expect(stats.histograms).toBeLessThanOrEqual(10 * (8 + 1));
    expect(stats.methods).toBeLessThanOrEqual(8);
    const report = metrics.report();
    expect(Object.keys(report.methods)).toHaveLength(9);
    expect(report.methods[OTHER_METHOD]!.count).toBe(report.overflowRecords);
    expect(report.overflowRecords).toBeGreaterThan(0);
    const total = Object.values(report.methods).reduce((n, m) => n + m.count, 0);
    expect(total).toBeGreaterThan(0);

    // Once the old names leave the window, new names get their own series again.
    clock.advance(20_000);
    metrics.record('fresh', 1, true);
    expect(metrics.report().methods.fresh!.count).toBe(1);
    expect(metrics.memoryStats().histograms).toBeLessThanOrEqual(10 * (8 + 1));
  });

  it('ignores non-finite durations, treats negative as 0, tolerates a clock stepping back', () => {
    const clock = new ManualClock(100_000);
    const metrics = new RollingMetrics({ clock });
    metrics.record('m', Number.NaN, true);
    metrics.record('m', Number.POSITIVE_INFINITY, true);
    metrics.record('m', -3, true);
    clock.advance(5_000);
    metrics.record('m', 7, true);
    clock.setTime(clock.now() - 120_000);
    metrics.record('m', 9, true);
    const m = metrics.report().methods.m!;
    expect(m).toMatchObject({ count: 3, max: 9 });
    expectClose(m.p50, 7);
  });

  it('rejects a bad window with a typed error naming the field', () => {
    expect(() => new RollingMetrics({ windowMs: 0 })).toThrow(DiagError);
    expect(() => new RollingMetrics({ windowMs: Number.NaN })).toThrow(/metrics\.windowMs: expected a positive number/);
  });
});
