import type { Clock } from '../clock.js';
import { packageVersion } from '../version.js';
import type { ParsedDsn } from './dsn.js';
import type { OutboxLog } from './outbox-store.js';
import { blockedUntil, limitsFromResponse, mergeRateLimits, SESSION_CATEGORIES, type RateLimits, type RateLimitWarn } from './rate-limits.js';
import { countsOf, deliveryOf, hasCounts, mergeCounts, withoutDelivered } from './session-counts.js';
import { SessionOutbox, type PendingSession } from './session-outbox.js';
import { postEnvelope } from './post-envelope.js';
import type { Transport } from './transport.js';

/**
 * Relay drops session updates whose `timestamp` or `started` is older than this (relay-config
 * `max_session_secs_in_past`, 5 days; relay-server/src/services/processor/session.rs).
 */
export const MAX_SESSION_AGE_MS = 5 * 24 * 60 * 60 * 1000;

export interface SessionDrainResult {
  sent: number;
  pending: number;
  /** Updates too old for Sentry to take, removed (each one logged). */
  dropped: number;
  /** A 429 on sessions, or a session rate limit in force: not before then. */
  rateLimitedUntil: number | null;
  /** A failed attempt: try again then. */
  retryAt: number | null;
}

export interface SessionDrainContext {
  outboxDir: string;
  dsn: ParsedDsn;
  clock: Clock;
  transport: Transport;
  limits: RateLimits;
  ignoreRateLimits: boolean;
  deadline: number;
  requestTimeoutMs: number;
  retryDelayMs: number;
  signal?: AbortSignal;
  log: OutboxLog;
  warn: RateLimitWarn;
}

/** The envelope endpoint of a DSN with its auth in the query, as Sentry's SDKs address it. */
export function envelopeUrl(dsn: ParsedDsn): string {
  const port = dsn.port ? `:${dsn.port}` : '';
  const query = new URLSearchParams({ sentry_version: '7', sentry_key: dsn.publicKey, sentry_client: `codex-diag/${packageVersion}` });
  return `${dsn.protocol}://${dsn.host}${port}${dsn.path ? `/${dsn.path}` : ''}/api/${dsn.projectId}/envelope/?${query.toString()}`;
}

/** One `session` envelope (https://develop.sentry.dev/sdk/data-model/envelopes/): header, item header, payload. */
export function sessionEnvelope(pending: PendingSession, nowMs: number): Uint8Array {
  const payload = JSON.stringify(pending.update);
  const header = JSON.stringify({ sent_at: new Date(nowMs).toISOString(), sdk: { name: 'codex-diag', version: packageVersion } });
  // No `length`: the payload is one line of JSON, as the JS SDK's session envelopes are.
  const itemHeader = JSON.stringify({ type: 'session' });
  return new TextEncoder().encode(`${header}\n${itemHeader}\n${payload}\n`);
}

/**
 * Sends the pending session updates, oldest first, each in its own envelope; stops at the first
 * failure (the next would meet the same server). Session rate limits hold them; a limit on other
 * categories does not. No @sentry/* module is needed for this.
 */
export async function drainSessions(ctx: SessionDrainContext): Promise<{ result: SessionDrainResult; limits: RateLimits }> {
  const outbox = new SessionOutbox(ctx.outboxDir);
  const result: SessionDrainResult = { sent: 0, pending: 0, dropped: 0, rateLimitedUntil: null, retryAt: null };
  let limits = ctx.limits;
  const pending = await outbox.list();
  await outbox.forgetSettled(pending);
  for (const item of pending) {
    const now = ctx.clock.now();
    const oldest = Math.min(item.queuedAt, Date.parse(item.update.timestamp), Date.parse(item.update.started));
    if (now - oldest > MAX_SESSION_AGE_MS) {
      await outbox.remove(item);
      ctx.log('warn', `outbox: session ${item.update.sid} (${item.update.status}) dropped: older than Sentry's 5-day window for sessions`, { sid: item.update.sid });
      result.dropped++;
      continue;
    }
    const limited = ctx.ignoreRateLimits ? 0 : blockedUntil(limits, SESSION_CATEGORIES, now);
    if (limited) {
      result.rateLimitedUntil = limited;
      result.pending++;
      continue;
    }
    if (result.retryAt !== null || now >= ctx.deadline || ctx.signal?.aborted) {
      result.pending++;
      continue;
    }
    const sid = item.update.sid;
    const delivered = await outbox.delivered(sid);
    const update = withoutDelivered(item.update, delivered);
    if (update === null) {
      // Its final status may be counted already: sent again it could only be counted twice.
      await outbox.remove(item);
      await outbox.forgetDelivered(sid);
      ctx.log('info', `outbox: session ${sid} (${item.update.status}) not sent again: an earlier request may have delivered it (no answer came)`, { sid });
      result.sent++;
      continue;
    }
    // Marked before the request: whatever happens to this process meanwhile, the counts go at most once.
    const carries = countsOf(update);
    if (hasCounts(carries)) await outbox.markDelivered(sid, mergeCounts(delivered, carries));
    const response = await post(ctx, sessionEnvelope({ ...item, update }, now), Math.min(ctx.requestTimeoutMs, ctx.deadline - now));
    const after = ctx.clock.now();
    if (response.kind === 'http') limits = mergeRateLimits(limits, limitsFromResponse(response, after, ctx.warn));
    const delivery = deliveryOf(response);
    if (delivery === 'yes') {
      await outbox.remove(item);
      await outbox.forgetDelivered(sid);
      result.sent++;
      continue;
    }
    if (delivery === 'no' && hasCounts(carries)) {
      // Sentry does not have it: the counts go with the next attempt.
      if (hasCounts(delivered)) await outbox.markDelivered(sid, delivered);
      else await outbox.forgetDelivered(sid);
    }
    result.pending++;
    const until = response.kind === 'http' && response.status === 429 ? blockedUntil(limits, SESSION_CATEGORIES, after) : 0;
    if (until) {
      result.rateLimitedUntil = until;
      continue;
    }
    if (response.kind === 'http' && response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      // Sentry refused this update for good (a malformed one would be refused again): it is dropped, said so.
      await outbox.remove(item);
      await outbox.forgetDelivered(sid);
      result.pending--;
      result.dropped++;
      ctx.log('warn', `outbox: session ${item.update.sid} refused by Sentry (HTTP ${response.status}); dropped`, { sid: item.update.sid });
      continue;
    }
    const why = response.kind === 'http' ? `HTTP ${response.status}` : `${response.code}: ${response.message}`;
    ctx.log('info', `outbox: session update not sent (${why}); kept for the next drain`, { sid: item.update.sid });
    result.retryAt = after + ctx.retryDelayMs;
  }
  await outbox.idle();
  return { result, limits };
}

function post(ctx: SessionDrainContext, body: Uint8Array, timeoutMs: number) {
  return postEnvelope({ transport: ctx.transport, clock: ctx.clock, url: envelopeUrl(ctx.dsn), body, timeoutMs, signal: ctx.signal });
}
