import { addHeldBack, mergeHeldBack, type HeldBackCount } from './held-back.js';

/**
 * Which queued item goes first when the outbox is over a bound:
 * - `repeat`: neither the first nor the latest queued of its fingerprint (goes first);
 * - `latest`: the latest of a fingerprint whose first is still queued (the first still reaches Sentry);
 * - `first`: the only item left of its fingerprint (goes last: its fingerprint would not reach Sentry).
 */
export type EvictionRank = 'repeat' | 'latest' | 'first';

const RANK_ORDER: Record<EvictionRank, number> = { repeat: 0, latest: 1, first: 2 };

const RANK_WHY: Record<EvictionRank, string> = {
  repeat: 'a repeat of its fingerprint; its first and latest are kept',
  latest: 'the latest of its fingerprint; its first is kept',
  first: 'the last queued of its fingerprint',
};

/** The fields of an outbox item the policy reads. */
export interface EvictableItem {
  itemId: string;
  createdAt: number;
  bytes: number;
  fingerprint?: string;
  heldBack?: HeldBackCount | null;
}

export interface EvictionLimits {
  maxItems: number;
  maxBytes: number;
  maxAgeMs: number;
}

export interface PlannedEviction<T> {
  item: T;
  /** What it was to its fingerprint (absent for an expired item). */
  rank?: EvictionRank;
  reason: string;
  /** The surviving item of its fingerprint that carries its count on (none when it was the last). */
  carriedTo?: string;
}

export interface EvictionPlan<T> {
  evictions: Array<PlannedEviction<T>>;
  /** Items left, oldest first. */
  remaining: T[];
  /**
   * Counts to add to surviving items, by item id: each evicted item stands for itself and what it
   * carried, so the latest survivor of its fingerprint carries that on (Sentry's counts stay true).
   */
  carry: Map<string, HeldBackCount>;
}

/**
 * Plans what the bounds evict from `items` (oldest first), without touching anything: first what is
 * past the age bound, then, while over the count or bytes bound, by rank (repeats, then latests, then
 * firsts), oldest first within a rank. An item without a fingerprint (queued by hand, or by an older
 * version) is a fingerprint of its own.
 */
export function planEvictions<T extends EvictableItem>(items: readonly T[], now: number, limits: EvictionLimits): EvictionPlan<T> {
  const evictions: Array<PlannedEviction<T>> = [];
  const hours = Math.round(limits.maxAgeMs / 3_600_000);
  let remaining = items.filter((item) => {
    if (now - item.createdAt <= limits.maxAgeMs) return true;
    evictions.push({ item, reason: `expired: queued longer than ${hours} h` });
    return false;
  });
  let bytes = remaining.reduce((sum, item) => sum + item.bytes, 0);
  while (remaining.length > 0 && (remaining.length > limits.maxItems || bytes > limits.maxBytes)) {
    const bound = remaining.length > limits.maxItems ? `${limits.maxItems} items` : `${limits.maxBytes} bytes`;
    const { item, rank } = pickVictim(remaining);
    evictions.push({ item, rank, reason: `evicted: outbox over ${bound} (${RANK_WHY[rank]})` });
    remaining = remaining.filter((other) => other !== item);
    bytes -= item.bytes;
  }
  return { evictions, remaining, carry: carryCounts(evictions, remaining, now) };
}

function pickVictim<T extends EvictableItem>(items: readonly T[]): { item: T; rank: EvictionRank } {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupKey(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  let best: { item: T; rank: EvictionRank; index: number } | undefined;
  items.forEach((item, index) => {
    const group = groups.get(groupKey(item)) ?? [item];
    const position = group.indexOf(item);
    const rank: EvictionRank = group.length === 1 || position === 0 ? 'first' : position === group.length - 1 ? 'latest' : 'repeat';
    if (!best || RANK_ORDER[rank] < RANK_ORDER[best.rank]) best = { item, rank, index };
  });
  // `items` is never empty here.
  return best as { item: T; rank: EvictionRank };
}

function carryCounts<T extends EvictableItem>(evictions: Array<PlannedEviction<T>>, remaining: readonly T[], now: number): Map<string, HeldBackCount> {
  const carry = new Map<string, HeldBackCount>();
  for (const eviction of evictions) {
    const { item } = eviction;
    const survivor = [...remaining].reverse().find((other) => groupKey(other) === groupKey(item));
    if (!survivor) continue;
    eviction.carriedTo = survivor.itemId;
    const own = addHeldBack(item.heldBack, 'evicted', 1, Math.min(item.createdAt, now));
    carry.set(survivor.itemId, mergeHeldBack(carry.get(survivor.itemId), own) ?? own);
  }
  return carry;
}

function groupKey(item: EvictableItem): string {
  return item.fingerprint ? `fp:${item.fingerprint}` : `item:${item.itemId}`;
}
