import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { DiagError } from '../errors.js';
import type { HeldBackCount } from './held-back.js';
import { OutboxStore, newEventId, type OutboxLog } from './outbox-store.js';

export interface EnqueueOptions {
  outboxDir: string;
  bundlePath: string;
  /** Normally chosen here; fixed from now on so every retry is the same Sentry event. */
  eventId?: string;
  /** The incident's fingerprint: the outbox bounds keep the first and latest of each. */
  fingerprint?: string;
  /** Occurrences held back before this one, carried into its event. */
  heldBack?: HeldBackCount | null;
  clock?: Clock;
  log?: OutboxLog;
}

export interface EnqueueResult {
  eventId: string;
  itemId: string;
  /** The queued copy of the bundle. */
  path: string;
}

/**
 * Puts a bundle in the outbox (a 0600 copy plus its record, both atomic) before any network I/O.
 * A file that is not a bundle is refused here, so the outbox only ever holds sendable items.
 */
export async function enqueueBundle(options: EnqueueOptions): Promise<EnqueueResult> {
  const { readZip } = await import('../bundle/zip-reader.js');
  const { files } = await readZip(options.bundlePath);
  if (!files.has('manifest.json')) {
    throw new DiagError('BUNDLE_INVALID', `${options.bundlePath}: not a codex-diag bundle (no manifest.json)`);
  }
  const store = new OutboxStore(options.outboxDir, options.clock ?? systemClock, options.log);
  const item = await store.add(options.bundlePath, options.eventId ?? newEventId(), { fingerprint: options.fingerprint, heldBack: options.heldBack });
  await store.idle();
  return { eventId: item.eventId, itemId: item.itemId, path: store.zipPath(item.itemId) };
}

/** Items waiting in the outbox (a cheap directory read; no network, no Sentry import). */
export async function pendingItems(outboxDir: string, clock: Clock = systemClock) {
  return new OutboxStore(outboxDir, clock).list();
}
