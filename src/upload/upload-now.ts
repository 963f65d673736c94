import type { Clock } from '../clock.js';
import { isDiagError, oneLine } from '../errors.js';
import { drainOutbox, type DrainOptions, type DrainResult, type ItemResult } from './drain.js';
import { parseDsn } from './dsn.js';
import { enqueueBundle, pendingItems } from './enqueue.js';

export interface UploadBundleOptions extends Omit<DrainOptions, 'outboxDir' | 'dsn' | 'firstItemId' | 'force'> {
  outboxDir: string;
  bundlePath: string;
  /** None: the bundle is queued and stays local. */
  dsn?: string;
  /** Budget of the one attempt (default 10 s): seconds, not minutes. */
  deadlineMs?: number;
  clock?: Clock;
}

export interface UploadBundleResult {
  eventId: string;
  itemId: string;
  /** True only when Sentry answered 2xx for this bundle. */
  sent: boolean;
  /** What happened to this bundle (absent when there was no DSN or another process holds the lock). */
  result?: ItemResult;
  /** Items still queued afterwards (this one included when it was not sent). */
  pending: number;
  /** Why it was not sent, for the user. */
  reason?: string;
}

/**
 * `export --upload` in one call: queue the bundle (durably, before any network I/O), then one
 * bounded attempt with this bundle first. Not sent means queued, never lost (the CLI exits 4).
 * A malformed DSN throws BAD_DSN before anything is queued.
 */
export async function uploadBundle(options: UploadBundleOptions): Promise<UploadBundleResult> {
  const dsn = options.dsn === undefined ? undefined : parseDsn(options.dsn);
  const { outboxDir, bundlePath, dsn: _dsn, deadlineMs, ...drainOptions } = options;
  const queued = await enqueueBundle({ outboxDir, bundlePath, clock: options.clock, log: options.log });
  if (!dsn) {
    const pending = (await pendingItems(outboxDir)).length;
    return { eventId: queued.eventId, itemId: queued.itemId, sent: false, pending, reason: 'no Sentry DSN configured' };
  }
  let drained: DrainResult;
  try {
    drained = await drainOutbox({ ...drainOptions, outboxDir, dsn, deadlineMs: deadlineMs ?? 10_000, firstItemId: queued.itemId });
  } catch (error) {
    // Queued is what counts (the contract's exit 4, never 1): a local fault in the attempt is its reason.
    if (isDiagError(error) && error.code === 'BAD_DSN') throw error;
    const pending = (await pendingItems(outboxDir).catch(() => [queued])).length;
    return { eventId: queued.eventId, itemId: queued.itemId, sent: false, pending, reason: `the upload failed locally (${oneLine(error)})` };
  }
  const result = drained.results.find((r) => r.itemId === queued.itemId);
  const sent = result?.outcome === 'sent';
  let reason: string | undefined;
  if (!sent) {
    if (drained.locked) reason = 'another process is uploading the outbox';
    else if (result?.outcome === 'failed') reason = result.error ?? `rejected (${result.status})`;
    else if (result?.outcome === 'rate-limited' || drained.rateLimitedUntil) reason = 'Sentry rate limit in force';
    else reason = `${result?.error ?? result?.status ?? 'not attempted'}`;
  }
  return { eventId: queued.eventId, itemId: queued.itemId, sent, result, pending: drained.pending, reason };
}
