import { percentile } from '../state/startup-metrics.js';
import { asNumber, isoTime, pick } from './read-json.js';
import type { StartupHistory } from './report-data.js';

/** Startup latency across launches from a state object (v3 `startup.history`; older states give one launch at most). */
export function startupHistory(state: unknown): StartupHistory {
  const history = pick(state, 'startup', 'history');
  const launches = Array.isArray(history)
    ? history.map((launch) => ({
        startedAt: isoTime(pick(launch, 'started_at_ms')),
        latencyMs: asNumber(pick(launch, 'renderer_ready_latency_ms')),
      }))
    : [];
  if (launches.length === 0) {
    const latency = asNumber(pick(state, 'startup', 'renderer_ready_latency_ms'));
    if (latency !== null) launches.push({ startedAt: isoTime(pick(state, 'startup', 'app_started_at_ms')), latencyMs: latency });
  }
  const samples = launches.map((l) => l.latencyMs).filter((v): v is number => v !== null);
  return { launches, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}
