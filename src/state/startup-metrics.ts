import type { State } from './schemas.js';

export interface StartupSummary {
  /** Launches in the history (at most 50). */
  launches: number;
  /** Launches whose renderer reported ready (the samples behind the percentiles). */
  samples: number;
  p50_ms: number | null;
  p95_ms: number | null;
  /** The latest launch's latency, null while its renderer has not reported ready. */
  last_ms: number | null;
}

/** Nearest-rank percentile (p in 0..100) of the values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function summarizeStartup(state: State): StartupSummary {
  const history = state.startup.history;
  const latencies = history
    .map((launch) => launch.renderer_ready_latency_ms)
    .filter((value): value is number => value !== null);
  return {
    launches: history.length,
    samples: latencies.length,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    last_ms: history.at(-1)?.renderer_ready_latency_ms ?? null,
  };
}
