import type { Event } from '@sentry/core';

/**
 * Why an occurrence did not become its own Sentry event:
 * - `sampled`: this install is outside the sample for the incident's kind/level (a repeat; firsts always go);
 * - `fingerprint-budget`: the fingerprint's token bucket was empty (at most N a day);
 * - `run-cap`: this run already sent its cap of events;
 * - `evicted`: a queued event was evicted by the outbox bounds (its count rides on a later one).
 */
export type HoldReason = 'sampled' | 'fingerprint-budget' | 'run-cap' | 'evicted';

export const HOLD_REASONS: readonly HoldReason[] = ['sampled', 'fingerprint-budget', 'run-cap', 'evicted'];

/** Occurrences held back since the fingerprint's last event went, carried into its next one. */
export interface HeldBackCount {
  total: number;
  byReason: Partial<Record<HoldReason, number>>;
  /** Epoch ms of the first and last occurrence counted. */
  firstAt: number;
  lastAt: number;
}

/** `count` plus `n` occurrences for `reason` at `at` (a new count when `count` is null). */
export function addHeldBack(count: HeldBackCount | null | undefined, reason: HoldReason, n: number, at: number): HeldBackCount {
  const byReason = { ...(count?.byReason ?? {}) };
  byReason[reason] = (byReason[reason] ?? 0) + n;
  return {
    total: (count?.total ?? 0) + n,
    byReason,
    firstAt: count ? Math.min(count.firstAt, at) : at,
    lastAt: count ? Math.max(count.lastAt, at) : at,
  };
}

/** Two counts as one (either may be absent). */
export function mergeHeldBack(a: HeldBackCount | null | undefined, b: HeldBackCount | null | undefined): HeldBackCount | null {
  if (!a) return b ? { ...b, byReason: { ...b.byReason } } : null;
  if (!b) return { ...a, byReason: { ...a.byReason } };
  const byReason = { ...a.byReason };
  for (const reason of HOLD_REASONS) {
    const n = b.byReason[reason];
    if (n) byReason[reason] = (byReason[reason] ?? 0) + n;
  }
  return { total: a.total + b.total, byReason, firstAt: Math.min(a.firstAt, b.firstAt), lastAt: Math.max(a.lastAt, b.lastAt) };
}

/** A count read from disk, or null when it is not a sound one (a hand-edited record must not break a drain). */
export function validHeldBack(value: unknown): HeldBackCount | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<HeldBackCount>;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!count(v.total) || typeof v.firstAt !== 'number' || typeof v.lastAt !== 'number' || typeof v.byReason !== 'object' || v.byReason === null) return null;
  const byReason: Partial<Record<HoldReason, number>> = {};
  for (const reason of HOLD_REASONS) {
    const n = (v.byReason as Record<string, unknown>)[reason];
    if (count(n) && n > 0) byReason[reason] = n;
  }
  return { total: v.total, byReason, firstAt: v.firstAt, lastAt: v.lastAt };
}

/**
 * Puts a held-back count on the event, so the numbers in Sentry stay true: this event stands
 * for itself plus `diag.held_back` occurrences that were not sent. `extra['diag.held_back']` is the
 * number (searchable, shown under "Additional Data"); `contexts.budget` says why and over what time.
 */
export function applyHeldBack(event: Event, count: HeldBackCount | null | undefined): Event {
  if (!count || count.total <= 0) return event;
  event.extra = { ...event.extra, 'diag.held_back': count.total };
  event.contexts = {
    ...event.contexts,
    budget: {
      held_back: count.total,
      reasons: { ...count.byReason },
      first_held_at: new Date(count.firstAt).toISOString(),
      last_held_at: new Date(count.lastAt).toISOString(),
    },
  };
  return event;
}
