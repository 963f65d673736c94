import { planEvictions } from './eviction-policy.js';
import { mergeHeldBack } from './held-back.js';
import type { OutboxItem, OutboxStore } from './outbox-store.js';

/** Limits on what the outbox keeps (the Sentry contract: bounded by count, bytes and age). */
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
 * Applies the bounds by policy (eviction-policy.ts): what is past the age bound, then, while over the
 * count or bytes bound, repeats of a fingerprint before its latest, and its latest before its first,
 * oldest first. An evicted item moves to failed/ (never silently dropped), and its count (itself plus
 * what it carried) rides on the latest queued item of its fingerprint. failed/ over its own bound
 * loses its oldest items. Each step is recorded in evictions.jsonl (with the rank and where the count
 * went) and logged by the store.
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
  const plan = planEvictions(await store.list(), now, b);
  // The survivors take the counts first: an item moved to failed/ before its count is carried on
  // would, after a crash in between, leave Sentry's count short; the other order at worst counts twice.
  const remaining: OutboxItem[] = [];
  for (const item of plan.remaining) {
    const carry = plan.carry.get(item.itemId);
    if (!carry) {
      remaining.push(item);
      continue;
    }
    const updated: OutboxItem = { ...item, heldBack: mergeHeldBack(item.heldBack, carry) };
    await store.save(updated);
    remaining.push(updated);
  }
  for (const { item, rank, reason, carriedTo } of plan.evictions) {
    await store.moveToFailed(item, item.lastStatus, reason, { ...(rank ? { rank } : {}), ...(carriedTo ? { carriedTo } : {}) });
    report.movedToFailed++;
  }
  const failed = await store.listFailed();
  for (const item of failed.slice(0, Math.max(failed.length - b.maxFailedItems, 0))) {
    await store.deleteFailed(item, `failed/ over ${b.maxFailedItems} items`);
    report.deleted++;
  }
  return { report, remaining };
}
