import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { DiagError, isDiagError, oneLine } from '../errors.js';
import type { Redactor } from '../bundle/redactor.js';
import { buildOutboundUpload } from './outbound-redaction.js';
import type { MinidumpScrubber } from './minidump-attachment.js';
import { acquireDrainLock } from './drain-lock.js';
import { parseDsn, type ParsedDsn } from './dsn.js';
import { applyHeldBack } from './held-back.js';
import { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from './size-limits.js';
import { applyBounds, type OutboxBounds } from './outbox-bounds.js';
import { OutboxStore, type OutboxItem, type OutboxLog } from './outbox-store.js';
import { repackWithBundleBuilder, type RepackBundle } from './repack.js';
import { rateLimitKey } from './rate-limit-file.js';
import { ATTACHMENT_CATEGORIES, blockedUntil, EVENT_CATEGORIES, limitsFromResponse, mergeRateLimits, type RateLimits, type RateLimitWarn } from './rate-limits.js';
import { backoffDelay, type BackoffOptions } from './retry-policy.js';
import { drainSessions, type SessionDrainResult } from './session-drain.js';
import { postEnvelope } from './post-envelope.js';
import { IsolatedSentryClient, loadSentry, type CapturedEnvelope, type SentryModules } from './sentry-client.js';
import { nodeHttpTransport, type Transport, type TransportResponse } from './transport.js';

export type ItemOutcome = 'sent' | 'retry' | 'rate-limited' | 'failed' | 'deferred';

/** What happened to one item in one drain. */
export interface ItemResult {
  itemId: string;
  eventId: string;
  outcome: ItemOutcome;
  /** HTTP status, or the network error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...); ELOCAL for a local fault. */
  status: number | string | null;
  error?: string;
  headers?: Record<string, string>;
  nextAttemptAt?: number;
  /** Bytes of the request body that went out (after any re-pack). */
  requestBytes?: number;
  repacks?: number;
  /**
   * Sentry kept the event but dropped its attachments (a 429 naming only attachment categories):
   * why. The bundle is kept in failed/ with this reason and never resent (the same event_id would
   * be discarded as a duplicate).
   */
  attachmentsDropped?: string;
}

export interface DrainResult {
  sent: number;
  /** Items moved to failed/ during this drain (rejected by the server, unreadable, or evicted by a bound). */
  failed: number;
  /** Items still queued after this drain. */
  pending: number;
  /** Items evicted by the count/bytes/age bounds during this drain (included in `failed`). */
  evicted: number;
  /** Another process holds the drain lock: nothing was tried. */
  locked: boolean;
  /** Epoch ms until which Sentry asked not to send, when a rate limit is in force. */
  rateLimitedUntil: number | null;
  results: ItemResult[];
  /** Release-health session updates (outbox/sessions/): sent, still pending, dropped. */
  sessions?: SessionDrainResult;
}

export interface DrainProgress {
  index: number;
  total: number;
  result: ItemResult;
}

export interface DrainOptions {
  outboxDir: string;
  /** Where an outgoing minidump is re-scrubbed (embedded: the bundle worker); default here, paced (the CLI: no host to keep responsive). */
  scrubMinidump?: MinidumpScrubber;
  /** A DSN string or one already parsed. */
  dsn: string | ParsedDsn;
  /** Total time budget; the drain returns within it whatever the network does (default: none). */
  deadlineMs?: number;
  /** Per request (default 30 s). */
  requestTimeoutMs?: number;
  /** Try items whose backoff has not elapsed yet (a manual `upload`). Rate limits are honoured regardless. */
  force?: boolean;
  /** Send despite a stored rate limit (support use: `upload --ignore-rate-limits`). New limits are still recorded. */
  ignoreRateLimits?: boolean;
  /** A value that made no sense was met and ignored (a rate limit past any sensible time): the embedding counts it as a fault. */
  onFault?: (message: string) => void;
  clock?: Clock;
  /** Jitter source, [0, 1). */
  random?: () => number;
  transport?: Transport;
  backoff?: BackoffOptions;
  bounds?: OutboxBounds;
  repack?: RepackBundle;
  maxEventBytes?: number;
  maxRequestBytes?: number;
  lockStaleMs?: number;
  log?: OutboxLog;
  onProgress?: (progress: DrainProgress) => void;
  /** This item goes first (an `export --upload` wants its own bundle tried within its budget). */
  firstItemId?: string;
  /** Aborting it ends the drain now: the request in flight is aborted, the rest stay queued. */
  signal?: AbortSignal;
  /** Imports Sentry; called on the first item actually sent (an uploader passes one that imports once). */
  loadSentry?: () => Promise<SentryModules>;
  /** The redactor what is sent passes (see outbound-redaction.ts); an uploader passes one that makes it once. */
  outboundRedactor?: () => Promise<Redactor>;
}

/** The data categories of one bundle's envelope: its event and its attachments. */
const BUNDLE_CATEGORIES: readonly string[] = [...EVENT_CATEGORIES, ...ATTACHMENT_CATEGORIES];

/** 413s in a row before an item is given up as too large. */
const MAX_REPACKS = 6;
/** A re-pack never goes below this many lines. */
const MIN_REPACK_LINES = 10;

/**
 * Sends every due item of the outbox, one at a time, under the drain lock. Each event is built by an
 * isolated @sentry/node client (sentry-client.ts) and sent by `transport`. The outcome of each is
 * the real HTTP outcome: 2xx deletes the item; 429 records the rate limit (persisted) and defers;
 * 413 re-packs the bundle smaller and tries again; other 4xx moves it to failed/; 5xx, 408 and
 * network failures schedule a retry with backoff (persisted in the item) and end the round, since
 * the next item would meet the same server.
 */
export async function drainOutbox(options: DrainOptions): Promise<DrainResult> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const transport = options.transport ?? nodeHttpTransport;
  const log = options.log ?? (() => undefined);
  const dsn = typeof options.dsn === 'string' ? parseDsn(options.dsn) : options.dsn;
  const startedAt = clock.now();
  const deadline = options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : startedAt + options.deadlineMs;
  const store = new OutboxStore(options.outboxDir, clock, log);
  const result: DrainResult = { sent: 0, failed: 0, pending: 0, evicted: 0, locked: false, rateLimitedUntil: null, results: [] };

  await store.ensureDirs();
  const lock = await acquireDrainLock(options.outboxDir, { clock, staleMs: options.lockStaleMs });
  if (!lock) {
    result.locked = true;
    result.pending = (await store.list()).length;
    log('info', 'outbox: another process is draining; not draining here');
    return result;
  }
  let client: IsolatedSentryClient | undefined;
  try {
    const { report: evictions, remaining: queued } = await applyBounds(store, clock.now(), options.bounds);
    result.evicted = evictions.movedToFailed;
    result.failed += evictions.movedToFailed;

    const dsnKey = rateLimitKey(dsn);
    const warn: RateLimitWarn = (message, fault) => {
      log('warn', `outbox: ${message}`);
      if (fault) options.onFault?.(message);
    };
    // A stored value that had to be capped or ignored is written back repaired, so it is met (and counted) once.
    let repairStored = false;
    let limits: RateLimits = await store.readRateLimits(dsnKey, (message, fault) => {
      repairStored = true;
      warn(message, fault);
    });
    const storedLimits = repairStored ? '' : JSON.stringify(limits);
    const items = options.firstItemId
      ? [...queued.filter((i) => i.itemId === options.firstItemId), ...queued.filter((i) => i.itemId !== options.firstItemId)]
      : queued;
    let sentry: SentryModules | undefined;
    let stopRound = false;
    let serverRetryAt = 0;
    for (const [index, listed] of items.entries()) {
      const report = (r: ItemResult) => {
        result.results.push(r);
        options.onProgress?.({ index, total: items.length, result: r });
      };
      const now = clock.now();
      const limitedUntil = options.ignoreRateLimits ? 0 : blockedUntil(limits, BUNDLE_CATEGORIES, now);
      if (limitedUntil) result.rateLimitedUntil = limitedUntil;
      if (stopRound || limitedUntil || now >= deadline || options.signal?.aborted || (!options.force && listed.nextAttemptAt > now)) {
        // Behind a failing server the others wait as long as the item that failed (the uploader's timer reads this).
        const notBefore = Math.max(listed.nextAttemptAt, limitedUntil, serverRetryAt);
        report({ itemId: listed.itemId, eventId: listed.eventId, outcome: 'deferred', status: listed.lastStatus, nextAttemptAt: notBefore });
        continue;
      }
      // A drain that hung past the stale age may have been taken over: the new holder sends from now on.
      if (!(await lock.refresh().catch(() => true))) {
        log('warn', 'outbox: the drain lock was taken over by another process; stopping here');
        stopRound = true;
        report({ itemId: listed.itemId, eventId: listed.eventId, outcome: 'deferred', status: listed.lastStatus, nextAttemptAt: listed.nextAttemptAt });
        continue;
      }
      // Another drainer (before we held the lock) may have finished it.
      if (!(await store.isPending(listed.itemId))) continue;
      // Loaded and created on the first item actually sent; one client for the whole drain.
      sentry ??= await (options.loadSentry ?? loadSentry)();
      client ??= new IsolatedSentryClient(sentry, dsn);
      let outcome: { result: ItemResult; limits: RateLimits };
      try {
        outcome = await sendItem({ store, item: listed, sentry, client, transport, clock, random, deadline, limits, warn, options });
      } catch (error) {
        // A local fault with one item (disk, a re-pack that failed, an event a host's processor
        // drops) must not hold back the others, and waits its backoff like any failed attempt.
        log('error', `outbox: could not send ${listed.itemId}: ${oneLine(error)}`, { itemId: listed.itemId });
        const nextAttemptAt = await scheduleLocalRetry(store, listed, clock, random, options.backoff, oneLine(error), log);
        outcome = { result: { itemId: listed.itemId, eventId: listed.eventId, outcome: 'retry', status: 'ELOCAL', error: oneLine(error), nextAttemptAt }, limits };
      }
      limits = outcome.limits;
      if (outcome.result.outcome === 'sent') result.sent++;
      if (outcome.result.outcome === 'failed') result.failed++;
      if (outcome.result.outcome === 'rate-limited') result.rateLimitedUntil = outcome.result.nextAttemptAt ?? null;
      if (outcome.result.outcome === 'retry' && outcome.result.status !== 'ELOCAL') {
        stopRound = true;
        serverRetryAt = outcome.result.nextAttemptAt ?? 0;
      }
      report(outcome.result);
    }
    // Session updates after the bundles, unless the server just failed: they would meet it too.
    const sessions = await drainSessions({
      outboxDir: options.outboxDir,
      dsn,
      clock,
      transport,
      limits,
      ignoreRateLimits: options.ignoreRateLimits === true,
      deadline: serverRetryAt ? clock.now() : deadline,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retryDelayMs: backoffDelay(1, random, options.backoff),
      signal: options.signal,
      log,
      warn,
    });
    limits = sessions.limits;
    result.sessions = sessions.result;
    // Written once, when a response changed them (or a stored value had to be capped or dropped).
    if (JSON.stringify(limits) !== storedLimits) {
      await store.writeRateLimits(dsnKey, limits).catch((error: unknown) => log('error', `outbox: could not record Sentry's rate limits: ${oneLine(error)}`));
    }
    result.pending = (await store.list()).length;
    await store.idle();
    return result;
  } finally {
    await client?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}

/**
 * Puts an item that failed locally on the backoff schedule. Returns when it is due even when the
 * record cannot be written (a full disk): the uploader's timer then still waits instead of spinning.
 */
async function scheduleLocalRetry(
  store: OutboxStore,
  listed: OutboxItem,
  clock: Clock,
  random: () => number,
  backoff: BackoffOptions | undefined,
  error: string,
  log: OutboxLog,
): Promise<number> {
  const current = (await store.readMeta(listed.itemId).catch(() => null)) ?? listed;
  const attempts = current.attempts + 1;
  const nextAttemptAt = clock.now() + backoffDelay(attempts, random, backoff);
  try {
    if (await store.isPending(listed.itemId)) await store.save({ ...current, attempts, nextAttemptAt, lastStatus: 'ELOCAL', lastError: error });
  } catch (saveError) {
    log('error', `outbox: could not record the retry of ${listed.itemId}: ${oneLine(saveError)}`, { itemId: listed.itemId });
  }
  return nextAttemptAt;
}

interface SendContext {
  store: OutboxStore;
  item: OutboxItem;
  sentry: SentryModules;
  client: IsolatedSentryClient;
  transport: Transport;
  clock: Clock;
  random: () => number;
  deadline: number;
  limits: RateLimits;
  warn: RateLimitWarn;
  options: DrainOptions;
}

async function sendItem(ctx: SendContext): Promise<{ result: ItemResult; limits: RateLimits }> {
  const { store, clock, options } = ctx;
  let item = ctx.item;
  let limits = ctx.limits;
  const base = { itemId: item.itemId, eventId: item.eventId };
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  for (let round = 0; ; round++) {
    let envelope: CapturedEnvelope;
    let lines: number;
    try {
      // Re-redacted with the current rules as it leaves (see outbound-redaction.ts).
      const { scrubMinidump, outboundRedactor } = options;
      const upload = await buildOutboundUpload(store.zipPath(item.itemId), { eventId: item.eventId, fileName: path.basename(item.source), now: clock.now(), ...(scrubMinidump ? { scrubMinidump } : {}), ...(outboundRedactor ? { defaultRedactor: outboundRedactor } : {}) });
      lines = upload.bundle.lines;
      // Occurrences the budget held back (or the bounds evicted) ride on this event: Sentry's counts stay true.
      applyHeldBack(upload.event, item.heldBack);
      envelope = await ctx.client.captureBundle(upload, options.maxEventBytes ?? MAX_EVENT_BYTES);
    } catch (error) {
      if (!isDiagError(error) || error.code !== 'BUNDLE_INVALID') throw error;
      await store.moveToFailed(item, null, `unreadable bundle: ${oneLine(error)}`);
      return { result: { ...base, outcome: 'failed', status: null, error: oneLine(error) }, limits };
    }
    const body = envelope.body;
    if (body.length > maxRequestBytes) {
      const repacked = await repackSmaller(ctx, item, lines, `request of ${body.length} bytes is over the ${maxRequestBytes}-byte limit`);
      if ('failed' in repacked) return { result: { ...base, outcome: 'failed', status: null, error: repacked.failed }, limits };
      item = repacked.item;
      continue;
    }

    const remaining = ctx.deadline - clock.now();
    // Time may have run out (or the drain been aborted) while Sentry loaded or the event was built:
    // then nothing is sent and no attempt is counted.
    if (remaining <= 0 || options.signal?.aborted) return { result: { ...base, outcome: 'deferred', status: item.lastStatus, nextAttemptAt: item.nextAttemptAt }, limits };
    // Count the attempt before sending: a process killed mid-request (or an item that crashes it)
    // still moves along the backoff schedule after a restart.
    const attemptNow = clock.now();
    const previousAttempts = item.attempts;
    item = { ...item, attempts: item.attempts + 1, nextAttemptAt: attemptNow + backoffDelay(item.attempts + 1, ctx.random, options.backoff) };
    await store.save(item);
    const response = await post(ctx, envelope, Math.min(options.requestTimeoutMs ?? 30_000, remaining));
    const now = clock.now();

    // Limits may come with any response, a 2xx included; they are kept per DSN for later items.
    const announced = response.kind === 'http' ? limitsFromResponse(response, now, ctx.warn) : {};
    limits = mergeRateLimits(limits, announced);
    const status = response.kind === 'http' ? response.status : response.code;
    const headers = response.kind === 'http' ? response.headers : undefined;
    const error = response.kind === 'network' ? response.message : undefined;
    const common = { ...base, status, headers, requestBytes: body.length, repacks: item.repacks };

    if (response.kind === 'http' && response.status >= 200 && response.status < 300) {
      await store.remove(item.itemId);
      return { result: { ...common, outcome: 'sent' }, limits };
    }
    if (response.kind === 'http' && response.status === 429) {
      const until = blockedUntil(announced, BUNDLE_CATEGORIES, now);
      if (until && blockedUntil(announced, EVENT_CATEGORIES, now)) {
        item = { ...item, attempts: previousAttempts, nextAttemptAt: until, lastStatus: 429, lastError: 'rate limited by Sentry' };
        await store.save(item);
        return { result: { ...common, outcome: 'rate-limited', nextAttemptAt: until }, limits };
      }
      if (until) {
        // Only attachments were limited: Sentry kept the event and dropped the zip. Resending the
        // same event_id would be discarded as a duplicate, so the bundle stays here, saying why.
        const reason = `Sentry kept event ${item.eventId} but dropped its attachments (rate limit on attachments, HTTP 429); the bundle is kept here and not resent`;
        await store.moveToFailed({ ...item, lastStatus: 429, lastError: reason }, 429, reason);
        return { result: { ...common, outcome: 'sent', attachmentsDropped: reason }, limits };
      }
      // A 429 naming only categories this client does not send (or unknown ones): the spec says to
      // ignore such limits, so this is an ordinary failed attempt on the backoff already saved.
    }
    if (response.kind === 'http' && response.status === 413) {
      const repacked = await repackSmaller(ctx, { ...item, attempts: previousAttempts, lastStatus: 413 }, lines, 'Sentry answered 413 (too large)');
      if ('failed' in repacked) return { result: { ...common, outcome: 'failed', error: repacked.failed }, limits };
      item = repacked.item;
      if (round >= MAX_REPACKS) {
        await store.moveToFailed(item, 413, 'still too large after re-packing');
        return { result: { ...common, outcome: 'failed', error: 'still too large after re-packing' }, limits };
      }
      continue;
    }
    if (response.kind === 'http' && response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      const reason = `Sentry rejected the event: HTTP ${response.status}`;
      await store.moveToFailed({ ...item, lastStatus: response.status, lastError: reason }, response.status, reason);
      return { result: { ...common, outcome: 'failed', error: reason }, limits };
    }
    // 5xx, 408, a 429 with no limit that applies, timeouts, resets, refused connections: retry
    // later, on the schedule already saved.
    item = { ...item, lastStatus: status, lastError: error ?? `HTTP ${status}` };
    await store.save(item);
    return { result: { ...common, outcome: 'retry', error: item.lastError ?? undefined, nextAttemptAt: item.nextAttemptAt }, limits };
  }
}

async function repackSmaller(ctx: SendContext, item: OutboxItem, lines: number, why: string): Promise<{ item: OutboxItem } | { failed: string }> {
  const maxLines = Math.floor(lines / 2);
  if (lines <= MIN_REPACK_LINES || item.repacks >= MAX_REPACKS) {
    const reason = `${why}; cannot re-pack smaller (${lines} lines left)`;
    await ctx.store.moveToFailed(item, item.lastStatus, reason);
    return { failed: reason };
  }
  const tmp = ctx.store.tempZipPath(item.itemId);
  try {
    await (ctx.options.repack ?? repackWithBundleBuilder)(ctx.store.zipPath(item.itemId), tmp, { maxLines: Math.max(maxLines, MIN_REPACK_LINES) });
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (isDiagError(error) && error.code === 'BUNDLE_INVALID') {
      // A bundle the re-packer cannot read (another format version) never gets smaller: retrying cannot help.
      const reason = `${why}; cannot re-pack it: ${oneLine(error)}`;
      await ctx.store.moveToFailed(item, item.lastStatus, reason);
      return { failed: reason };
    }
    throw new DiagError('IO', `re-packing ${item.itemId} failed: ${oneLine(error)}`, { cause: error });
  }
  ctx.options.log?.('info', `outbox: ${why}; re-packed to ${maxLines} lines`, { itemId: item.itemId });
  return { item: await ctx.store.replaceZip(item, tmp) };
}

function post(ctx: SendContext, envelope: CapturedEnvelope, timeoutMs: number): Promise<TransportResponse> {
  // The envelope was built by the isolated client; this sends it and reports the real outcome
  // (see capture-transport.ts for why the client's own transport does not send).
  return postEnvelope({ transport: ctx.transport, clock: ctx.clock, url: envelope.url, body: envelope.body, sdkAgent: envelope.headers['user-agent'], timeoutMs, signal: ctx.options.signal });
}
