import type { OutboxItem, OutboxStore } from './outbox-store.js';

/** Limits on what the outbox keeps (DESIGN.md "Sentry": bounded by count, bytes and age). */
export interface OutboxBounds {
  /** Pending items (default 50). */
  maxItems?: number;
  /** Pending bytes (default 200 MB: ten bundles at Sentry's 20 MB request limit). */
  maxBytes?: number;
  /** A pending item older than this is given up (default 30 days). */
  maxAgeMs?: number;
  /** Items kept in failed/ for people to look at (default 100); older ones are deleted, with a record. */
  maxFailedItems?: number;
}

export const DEFAULT_BOUNDS: Required<OutboxBounds> = {
  maxItems: 50,
  maxBytes: 200 * 1024 * 1024,
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
  maxFailedItems: 100,
};

export interface BoundsReport {
  movedToFailed: number;
  deleted: number;
}

/**
 * Applies the bounds, oldest first. A pending item over a bound moves to failed/ (never silently
 * dropped); failed/ over its own bound loses its oldest items. Each step is recorded in
 * evictions.jsonl and logged by the store.
 */
export async function enforceBounds(store: OutboxStore, now: number, bounds: OutboxBounds = {}): Promise<BoundsReport> {
  return (await applyBounds(store, now, bounds)).report;
}

/** `enforceBounds`, also returning the pending items left (oldest first), so a drain need not list again. */
export async function applyBounds(
  store: OutboxStore,
  now: number,
  bounds: OutboxBounds = {},
): Promise<{ report: BoundsReport; remaining: OutboxItem[] }> {
  const b = { ...DEFAULT_BOUNDS, ...bounds };
  const report: BoundsReport = { movedToFailed: 0, deleted: 0 };
  await store.sweepTempFiles();
  let items = await store.list();
  for (const item of items.filter((i) => now - i.createdAt > b.maxAgeMs)) {
    await store.moveToFailed(item, item.lastStatus, `expired: queued longer than ${Math.round(b.maxAgeMs / 3_600_000)} h`);
    report.movedToFailed++;
  }
  items = items.filter((i) => now - i.createdAt <= b.maxAgeMs);
  let bytes = items.reduce((sum, i) => sum + i.bytes, 0);
  while (items.length > 0 && (items.length > b.maxItems || bytes > b.maxBytes)) {
    const oldest = items.shift();
    if (!oldest) break;
    const reason = items.length + 1 > b.maxItems ? `evicted: outbox over ${b.maxItems} items` : `evicted: outbox over ${b.maxBytes} bytes`;
    await store.moveToFailed(oldest, oldest.lastStatus, reason);
    bytes -= oldest.bytes;
    report.movedToFailed++;
  }
  const failed = await store.listFailed();
  for (const item of failed.slice(0, Math.max(failed.length - b.maxFailedItems, 0))) {
    await store.deleteFailed(item, `failed/ over ${b.maxFailedItems} items`);
    report.deleted++;
  }
  return { report, remaining: items };
}
