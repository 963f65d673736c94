import type { TransportResponse } from './transport.js';
import type { SessionStatus, SessionUpdate } from './session-update.js';

/**
 * What in a session update Sentry counts, and how a retry avoids counting it twice.
 *
 * Relay turns each session update it receives into release-health metrics
 * (getsentry/relay, relay-server/src/metrics_extraction/sessions/mod.rs, `extract_session_metrics`):
 * `init: true` adds 1 to the session counter (`session.status:init`), status `crashed` and
 * `abnormal` add 1 to theirs; errored sessions and users are sets keyed by `sid` and `did`. The
 * counters are not deduplicated by `sid` or `seq` (relay-event-schema/src/protocol/session.rs:
 * `total_count()` is `init` as 0 or 1), so an update received twice counts twice. Sets repeat
 * harmlessly. Hence: an update whose request may have reached Sentry without an answer (a timeout
 * after the body was sent, a reset, a gateway's 502/504) has its counts marked as possibly
 * delivered, and no later update of that session carries them again: at most once, never twice.
 */

export type FatalStatus = Extract<SessionStatus, 'crashed' | 'abnormal'>;

/** The counting parts of a session Sentry may already have. */
export interface SessionCounts {
  init: boolean;
  fatal: FatalStatus | null;
}

export const NO_COUNTS: SessionCounts = { init: false, fatal: null };

function fatalOf(status: SessionStatus): FatalStatus | null {
  return status === 'crashed' || status === 'abnormal' ? status : null;
}

/** What sending this update would add to Sentry's counters. */
export function countsOf(update: SessionUpdate): SessionCounts {
  return { init: update.init, fatal: fatalOf(update.status) };
}

export function hasCounts(counts: SessionCounts): boolean {
  return counts.init || counts.fatal !== null;
}

export function mergeCounts(a: SessionCounts, b: SessionCounts): SessionCounts {
  return { init: a.init || b.init, fatal: b.fatal ?? a.fatal };
}

/**
 * The update to send given what may already be at Sentry: `init` dropped once the session may be
 * counted; null when its final status may be counted already (sending it again could only count
 * it twice; what else it says, Sentry has from that request or the sets make no difference).
 */
export function withoutDelivered(update: SessionUpdate, delivered: SessionCounts): SessionUpdate | null {
  const fatal = fatalOf(update.status);
  if (fatal !== null && delivered.fatal === fatal) return null;
  return delivered.init && update.init ? { ...update, init: false } : update;
}

/** Connection failures that happen before a request can leave the machine. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN']);

/**
 * Whether Sentry has the request: `yes` (2xx), `no` (it said no, or the request never left), or
 * `maybe` (it left and no answer came, or a gateway answered for a server that may have taken it).
 */
export function deliveryOf(response: TransportResponse): 'yes' | 'no' | 'maybe' {
  if (response.kind === 'http') {
    if (response.status >= 200 && response.status < 300) return 'yes';
    return response.status === 502 || response.status === 504 ? 'maybe' : 'no';
  }
  if (response.requestSent === false || NEVER_SENT.has(response.code)) return 'no';
  return 'maybe';
}
