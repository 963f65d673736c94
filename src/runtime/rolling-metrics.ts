/**
 * Rolling request metrics: per method count, error rate and latency quantiles over a sliding window
 * (default 60 s), with bounded memory.
 *
 * Layout: the window is a ring of time slices (default 60 slices of 1 s). Each slice holds, per method
 * seen in it, a log-linear histogram (./histogram.ts, ~1.6% relative error), a count, an error count and
 * the exact max. record() touches one slice: O(1), no allocation once warm. A slice whose time has
 * passed is recycled in place when the ring comes round to it, so old data drops out without a sweep.
 * report() merges the live slices. Memory is bounded by slices x (maxMethods + 1) histograms of 3.5 KB
 * (allocated only for methods actually seen in a slice); methods past `maxMethods` (distinct names
 * alive in the window) are folded into `other` and counted.
 */
import { systemClock, type Clock } from '../clock.js';
import { DiagError } from '../errors.js';
import { bucketIndex, createCounts, HISTOGRAM_BUCKETS, quantileMs } from './histogram.js';

export interface RollingMetricsOptions {
  clock?: Clock;
  /** Length of the sliding window. Default 60 000 ms. */
  windowMs?: number;
  /** Number of time slices the window is cut into (its granularity). Default 60. */
  slices?: number;
  /** Distinct method names tracked at once; more fold into `other`. Default 64. */
  maxMethods?: number;
}

export interface MethodMetrics {
  count: number;
  /** Errors / count, 0..1. */
  errorRate: number;
  /** Latency quantiles and max, in ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MetricsReport {
  windowMs: number;
  methods: Record<string, MethodMetrics>;
  /** Records in the window that were folded into `other` because `maxMethods` names were in use. */
  overflowRecords: number;
}

export interface MetricsMemoryStats {
  slices: number;
  /** Histograms allocated (in use plus pooled for reuse). */
  histograms: number;
  /** Bytes held by histogram buckets. */
  histogramBytes: number;
  /** Method names currently tracked. */
  methods: number;
}

/** The bucket methods beyond `maxMethods` are folded into. */
export const OTHER_METHOD = 'other';
/** Method names are cut to this length so names cannot grow memory without bound. */
const MAX_METHOD_NAME = 200;

interface MethodSlice {
  counts: Uint32Array;
  count: number;
  errors: number;
  maxMs: number;
}

interface Slice {
  epoch: number;
  methods: Map<string, MethodSlice>;
  overflow: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new DiagError('BAD_INPUT', `metrics.${name}: expected a positive number, got ${String(value)}`);
  }
  return value;
}

export class RollingMetrics {
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly sliceCount: number;
  private readonly sliceMs: number;
  private readonly maxMethods: number;
  private readonly ring: Slice[];
  private readonly pool: MethodSlice[] = [];
  private allocated = 0;
  private latestEpoch = -Infinity;
  /** Method name -> epoch of the slice it was last recorded in. */
  private readonly methodSeen = new Map<string, number>();
  private lastPruneEpoch = -Infinity;
  private hotEpoch = -Infinity;
  private hotSlice: Slice | undefined;

  constructor(options: RollingMetricsOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.windowMs = positive('windowMs', options.windowMs, 60_000);
    this.sliceCount = Math.floor(positive('slices', options.slices, 60));
    this.maxMethods = Math.floor(positive('maxMethods', options.maxMethods, 64));
    this.sliceMs = this.windowMs / this.sliceCount;
    this.ring = Array.from({ length: this.sliceCount }, () => ({ epoch: -Infinity, methods: new Map(), overflow: 0 }));
  }

  /** Records one request. O(1); never throws; a non-finite duration is ignored, a negative one is 0. */
  record(method: string, durationMs: number, ok: boolean): void {
    if (!Number.isFinite(durationMs)) return;
    const duration = durationMs > 0 ? durationMs : 0;
    const epoch = this.currentEpoch();
    const slice = this.sliceFor(epoch);
    // Fast path: one map lookup when the method already has a series in this slice (it was admitted
    // when that series was created).
    let entry = slice.methods.get(method);
    if (entry === undefined) entry = this.entryFor(slice, method, epoch);
    entry.counts[bucketIndex(duration)]!++;
    entry.count++;
    if (!ok) entry.errors++;
    if (duration > entry.maxMs) entry.maxMs = duration;
  }

  /** The window as of now: per method count, error rate, p50/p95/p99 and max (ms). */
  report(): MetricsReport {
    const epoch = this.currentEpoch();
    const merged = new Map<string, MethodSlice>();
    let overflowRecords = 0;
    for (const slice of this.ring) {
      if (!this.isLive(slice, epoch)) continue;
      overflowRecords += slice.overflow;
      for (const [name, entry] of slice.methods) {
        let sum = merged.get(name);
        if (sum === undefined) {
          sum = { counts: createCounts(), count: 0, errors: 0, maxMs: 0 };
          merged.set(name, sum);
        }
        for (let i = 0; i < HISTOGRAM_BUCKETS; i++) sum.counts[i]! += entry.counts[i]!;
        sum.count += entry.count;
        sum.errors += entry.errors;
        if (entry.maxMs > sum.maxMs) sum.maxMs = entry.maxMs;
      }
    }
    // fromEntries defines own properties: a method named `__proto__` is a key like any other
    // (an assignment would set the object's prototype and lose it).
    const methods: Record<string, MethodMetrics> = Object.fromEntries(
      [...merged.keys()].sort().map((name): [string, MethodMetrics] => {
        const sum = merged.get(name)!;
        return [
          name,
          {
            count: sum.count,
            errorRate: sum.count === 0 ? 0 : sum.errors / sum.count,
            p50: round(quantileMs(sum.counts, sum.count, 0.5, sum.maxMs)),
            p95: round(quantileMs(sum.counts, sum.count, 0.95, sum.maxMs)),
            p99: round(quantileMs(sum.counts, sum.count, 0.99, sum.maxMs)),
            max: round(sum.maxMs),
          },
        ];
      }),
    );
    return { windowMs: this.windowMs, methods, overflowRecords };
  }

  toJSON(): MetricsReport {
    return this.report();
  }

  memoryStats(): MetricsMemoryStats {
    return {
      slices: this.ring.length,
      histograms: this.allocated,
      histogramBytes: this.allocated * HISTOGRAM_BUCKETS * Uint32Array.BYTES_PER_ELEMENT,
      methods: this.methodSeen.size,
    };
  }

  private currentEpoch(): number {
    const epoch = Math.floor(this.clock.now() / this.sliceMs);
    // A clock that steps back must not recycle newer slices: treat it as "still now".
    if (epoch > this.latestEpoch) this.latestEpoch = epoch;
    return this.latestEpoch;
  }

  private isLive(slice: Slice, epoch: number): boolean {
    return slice.epoch > epoch - this.sliceCount && slice.epoch <= epoch;
  }

  private sliceFor(epoch: number): Slice {
    // Most records land in the slice of the previous record: skip the (floating-point) modulo.
    if (epoch === this.hotEpoch && this.hotSlice !== undefined) return this.hotSlice;
    const slice = this.recycleFor(epoch);
    this.hotEpoch = epoch;
    this.hotSlice = slice;
    return slice;
  }

  private recycleFor(epoch: number): Slice {
    const slot = ((epoch % this.sliceCount) + this.sliceCount) % this.sliceCount;
    const slice = this.ring[slot]!;
    if (slice.epoch !== epoch) {
      for (const entry of slice.methods.values()) {
        entry.counts.fill(0);
        entry.count = 0;
        entry.errors = 0;
        entry.maxMs = 0;
        this.pool.push(entry);
      }
      slice.methods.clear();
      slice.overflow = 0;
      slice.epoch = epoch;
    }
    return slice;
  }

  /** Slow path of record(): admits the name (or folds it into `other`) and finds its series. */
  private entryFor(slice: Slice, method: string, epoch: number): MethodSlice {
    let name = typeof method === 'string' ? method : String(method);
    if (name.length > MAX_METHOD_NAME) name = name.slice(0, MAX_METHOD_NAME);
    if (!this.admit(name, epoch)) {
      name = OTHER_METHOD;
      slice.overflow++;
    }
    let entry = slice.methods.get(name);
    if (entry === undefined) {
      entry = this.takeEntry();
      slice.methods.set(name, entry);
    }
    return entry;
  }

  private takeEntry(): MethodSlice {
    const reused = this.pool.pop();
    if (reused) return reused;
    this.allocated++;
    return { counts: createCounts(), count: 0, errors: 0, maxMs: 0 };
  }

  /** Whether `name` gets its own series; false folds it into `other`. */
  private admit(name: string, epoch: number): boolean {
    const seen = this.methodSeen.get(name);
    if (seen !== undefined) {
      if (seen !== epoch) this.methodSeen.set(name, epoch);
      return true;
    }
    if (this.methodSeen.size >= this.maxMethods && this.lastPruneEpoch !== epoch) {
      // At most one sweep per slice: names not seen in the window free their place.
      this.lastPruneEpoch = epoch;
      for (const [known, last] of this.methodSeen) {
        if (last <= epoch - this.sliceCount) this.methodSeen.delete(known);
      }
    }
    if (this.methodSeen.size >= this.maxMethods) return false;
    this.methodSeen.set(name, epoch);
    return true;
  }
}

/** Milliseconds to the microsecond: the histogram holds no finer detail. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
