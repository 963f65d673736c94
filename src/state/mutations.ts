import { STARTUP_HISTORY_LIMIT, type State } from './schemas.js';

/**
 * The changes the running app makes to its state, as plain functions on a State (the store
 * wraps them with persistence). Times are Unix milliseconds from the caller's clock.
 */

/** Distinct fingerprints kept; the least recently seen go first, so the file stays small. */
export const INCIDENT_COUNTER_LIMIT = 200;

const ms = (now: number) => Math.max(0, Math.round(now));

export function appStarted(state: State, now: number): void {
  const startedAt = ms(now);
  state.startup.app_started_at_ms = startedAt;
  state.startup.renderer_ready_latency_ms = null;
  state.startup.history.push({ started_at_ms: startedAt, renderer_ready_latency_ms: null });
  const excess = state.startup.history.length - STARTUP_HISTORY_LIMIT;
  if (excess > 0) state.startup.history.splice(0, excess);
}

/**
 * Records the latency of this launch's first renderer-ready. `launchStartedAt` is the start
 * recorded by this process (a start read from disk belongs to an earlier launch). Returns the
 * launch's latency: the new one, or the one already recorded (a second ready never overwrites).
 */
export function rendererReady(state: State, now: number, launchStartedAt: number | undefined): number | null {
  state.renderer.last_ready_at = ms(now);
  if (launchStartedAt === undefined) return null;
  const launch = state.startup.history.findLast((entry) => entry.started_at_ms === launchStartedAt);
  const existing = launch?.renderer_ready_latency_ms ?? null;
  if (existing !== null) return existing;
  // Never negative: a wall clock set back between start and ready gives 0, not a negative latency.
  const latency = Math.max(0, ms(now) - launchStartedAt);
  if (launch) launch.renderer_ready_latency_ms = latency;
  if (state.startup.app_started_at_ms === launchStartedAt) state.startup.renderer_ready_latency_ms = latency;
  return latency;
}

export function recoveryAttempted(state: State, now: number): number {
  state.renderer.recovery_attempts += 1;
  state.renderer.last_recovery_at = ms(now);
  return state.renderer.recovery_attempts;
}

export function recoveryReset(state: State): void {
  state.renderer.recovery_attempts = 0;
}

export function heartbeat(state: State, now: number): void {
  state.renderer.last_heartbeat_at = ms(now);
}

export function sidecarRestarted(state: State, now: number, reason: string | null): number {
  state.app_server.restart_count += 1;
  state.app_server.last_restart_at = ms(now);
  state.app_server.last_disconnect_reason = reason;
  return state.app_server.restart_count;
}

export function incidentSeen(state: State, fingerprint: string, now: number, suppressed: boolean): void {
  const at = ms(now);
  const counter = state.incidents[fingerprint];
  if (counter) {
    counter.count += 1;
    if (suppressed) counter.suppressed += 1;
    counter.last_at = Math.max(counter.last_at, at);
  } else {
    state.incidents[fingerprint] = { count: 1, suppressed: suppressed ? 1 : 0, first_at: at, last_at: at };
    pruneIncidents(state, fingerprint);
  }
}

function pruneIncidents(state: State, keep: string): void {
  const entries = Object.entries(state.incidents).filter(([fingerprint]) => fingerprint !== keep);
  const excess = entries.length + 1 - INCIDENT_COUNTER_LIMIT;
  if (excess <= 0) return;
  entries.sort(([, a], [, b]) => a.last_at - b.last_at);
  for (const [fingerprint] of entries.slice(0, excess)) delete state.incidents[fingerprint];
}
