/**
 * Release health: one Sentry session per app run, as session update payloads
 * (https://develop.sentry.dev/sdk/telemetry/sessions/, "Session Update Payload"): `sid`, `did`,
 * `seq` (the update's place in its session, fixed when it is queued, so a retry is the same update),
 * `init` (true on the first update of the session only: Sentry counts sessions by it),
 * `started`, `timestamp`, `duration` (seconds), `status` (ok, exited, crashed, abnormal; the last
 * three are terminal), `errors` (at least 1 once crashed), `attrs.release` (required) and
 * `attrs.environment`, the same as on events. No IP address or user agent is sent.
 */

export type SessionStatus = 'ok' | 'exited' | 'crashed' | 'abnormal';

export interface SessionUpdate {
  sid: string;
  did?: string;
  seq: number;
  init: boolean;
  started: string;
  timestamp: string;
  duration?: number;
  status: SessionStatus;
  errors: number;
  attrs: { release: string; environment?: string };
}

/** What the app run knows about its session (kept in the state file's `session` between runs). */
export interface SessionState {
  sid: string;
  did?: string;
  /** The sequence of this update within the session (0 for the first). */
  seq: number;
  startedAtMs: number;
  release: string;
  environment?: string;
  errors: number;
  status: SessionStatus;
}

export function isTerminal(status: SessionStatus): boolean {
  return status !== 'ok';
}

/** The update that reports `session` as it is at `nowMs`. */
export function sessionUpdate(session: SessionState, init: boolean, nowMs: number): SessionUpdate {
  const update: SessionUpdate = {
    sid: session.sid,
    seq: session.seq,
    init,
    started: new Date(session.startedAtMs).toISOString(),
    timestamp: new Date(Math.max(nowMs, session.startedAtMs)).toISOString(),
    status: session.status,
    // Spec: a crashed session has had at least one error (the crash itself).
    errors: session.status === 'crashed' ? Math.max(session.errors, 1) : session.errors,
    attrs: { release: session.release, ...(session.environment ? { environment: session.environment } : {}) },
  };
  if (session.did) update.did = session.did;
  // Sentry averages durations over exited sessions only; it is sent with every terminal update.
  if (isTerminal(session.status)) update.duration = Math.max(0, (nowMs - session.startedAtMs) / 1000);
  return update;
}
