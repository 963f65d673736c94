// Rolling request metrics: records per second, report time and memory after 10 million records,
// beside a naive baseline (every duration kept in a per-method array, sorted for percentiles) fed the
// same data in the same run. Run: npm run build && node --expose-gc bench/metrics.bench.mjs
import { RollingMetrics } from '../dist/runtime/rolling-metrics.js';

const N = Number(process.env.METRICS_BENCH_RECORDS ?? 10_000_000);
const METHODS = 20;
const names = Array.from({ length: METHODS }, (_, i) => `method/${i}`);

// Deterministic log-normal latencies (ms) and a 2% error rate, generated once for both contenders.
let seed = 42;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const durations = new Float64Array(N);
const methodOf = new Uint8Array(N);
const okOf = new Uint8Array(N);
for (let i = 0; i < N; i++) {
  const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  durations[i] = Math.exp(2.5 + 1.1 * gaussian + (i % METHODS) * 0.1);
  methodOf[i] = i % METHODS;
  okOf[i] = random() < 0.98 ? 1 : 0;
}

const gc = globalThis.gc ?? (() => {});
const memory = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (bytes) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const time = (fn) => {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
};

// --- RollingMetrics (real clock: Date.now() per record is part of its cost; window long enough
// to hold the whole run, as the baseline does) ---
const before = memory();
const metrics = new RollingMetrics({ windowMs: 10 * 60_000, slices: 60 });
const rec = time(() => {
  for (let i = 0; i < N; i++) metrics.record(names[methodOf[i]], durations[i], okOf[i] === 1);
});
const rep = time(() => metrics.report());
const metricsBytes = memory() - before;

// --- naive: keep every value, sort on report ---
const beforeNaive = memory();
// Looked up by name, as a caller would record by method name.
const naive = new Map(names.map((name) => [name, { values: [], errors: 0 }]));
const naiveRec = time(() => {
  for (let i = 0; i < N; i++) {
    const slot = naive.get(names[methodOf[i]]);
    slot.values.push(durations[i]);
    if (okOf[i] === 0) slot.errors++;
  }
});
const naiveBytes = memory() - beforeNaive;
const naiveRep = time(() => {
  const out = {};
  names.forEach((name) => {
    const slot = naive.get(name);
    const sorted = slot.values.sort((a, b) => a - b);
    const q = (p) => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
    out[name] = { count: sorted.length, errorRate: slot.errors / sorted.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted[sorted.length - 1] };
  });
  return out;
});

// --- accuracy of the histogram against the exact values ---
let worst = 0;
for (const name of names) {
  for (const key of ['p50', 'p95', 'p99', 'max']) {
    const exact = naiveRep.value[name][key];
    worst = Math.max(worst, Math.abs(rep.value.methods[name][key] - exact) / exact);
  }
  if (rep.value.methods[name].count !== naiveRep.value[name].count) throw new Error(`count mismatch for ${name}`);
}

const heldByMetrics = Math.max(metricsBytes, metrics.memoryStats().histogramBytes);
const perSec = (ms) => (N / (ms / 1000)).toFixed(0);
const rows = [
  ['', 'RollingMetrics', 'naive sorted array', 'ratio (>1: rolling better)'],
  ['records/s', perSec(rec.ms), perSec(naiveRec.ms), (naiveRec.ms / rec.ms).toFixed(2)],
  ['report() time', `${rep.ms.toFixed(2)} ms`, `${naiveRep.ms.toFixed(0)} ms`, (naiveRep.ms / rep.ms).toFixed(0)],
  // The rolling figure is below measurement noise: count at least the bytes its histograms hold.
  ['memory held (heap + array buffers)', mb(heldByMetrics), mb(naiveBytes), (naiveBytes / heldByMetrics).toFixed(0)],
];
console.log(`${N.toLocaleString('en-US')} records, ${METHODS} methods, node ${process.version}${globalThis.gc ? '' : ' (no --expose-gc: memory figures are rough)'}`);
for (const row of rows) console.log(row.map((c, i) => String(c).padEnd(i === 0 ? 36 : 22)).join(''));
console.log(`RollingMetrics measured heap delta: ${mb(metricsBytes)}; histograms allocated: ${metrics.memoryStats().histograms} (${mb(metrics.memoryStats().histogramBytes)}); bound for this config: 60 slices x (64 + 1) methods x 3.5 KB`);
console.log(`worst relative quantile error vs exact (p50/p95/p99/max, all methods): ${(worst * 100).toFixed(2)}%`);
