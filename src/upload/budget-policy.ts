import { createHash } from 'node:crypto';
import { addHeldBack, type HeldBackCount, type HoldReason } from './held-back.js';

/** Sentry levels an incident maps to (src/incidents/sentry-level.ts), plus `info` for anything else. */
export type BudgetLevel = 'fatal' | 'error' | 'warning' | 'info';

/** The delivery budget of one install (embed option `budget`; `false` turns it off). */
export interface BudgetOptions {
  /** Repeats of one fingerprint sent per day after its first (default 6: one every 4 h). */
  perFingerprintPerDay?: number;
  /** Tokens a fingerprint's bucket holds at most (default 1): repeats that may go back to back after a quiet spell. */
  burst?: number;
  /** Events sent per run at most, firsts included; firsts still go past it (default 20). */
  maxEventsPerRun?: number;
  /**
   * Share of installs that send repeats, by level, then overridden by incident kind (0..1). The
   * install is in or out for good (a hash of its install id), so a fleet samples the same way every
   * run. Defaults: fatal 1 (never sampled out), error 1, warning 0.5, info 1.
   */
  sampling?: { levels?: Partial<Record<BudgetLevel, number>>; kinds?: Record<string, number> };
  /** Fingerprints the ledger remembers (default 1000); past it the least recently seen with nothing held back go. */
  maxFingerprints?: number;
}

export interface ResolvedBudgetOptions {
  perFingerprintPerDay: number;
  burst: number;
  maxEventsPerRun: number;
  sampling: { levels: Record<BudgetLevel, number>; kinds: Record<string, number> };
  maxFingerprints: number;
}

export const DEFAULT_BUDGET: ResolvedBudgetOptions = {
  perFingerprintPerDay: 6,
  burst: 1,
  maxEventsPerRun: 20,
  sampling: { levels: { fatal: 1, error: 1, warning: 0.5, info: 1 }, kinds: {} },
  maxFingerprints: 1000,
};

export function resolveBudgetOptions(options: BudgetOptions = {}): ResolvedBudgetOptions {
  return {
    perFingerprintPerDay: options.perFingerprintPerDay ?? DEFAULT_BUDGET.perFingerprintPerDay,
    burst: options.burst ?? DEFAULT_BUDGET.burst,
    maxEventsPerRun: options.maxEventsPerRun ?? DEFAULT_BUDGET.maxEventsPerRun,
    sampling: {
      levels: { ...DEFAULT_BUDGET.sampling.levels, ...definedOnly(options.sampling?.levels ?? {}) },
      kinds: { ...(definedOnly(options.sampling?.kinds ?? {}) as Record<string, number>) },
    },
    maxFingerprints: options.maxFingerprints ?? DEFAULT_BUDGET.maxFingerprints,
  };
}

/** What the install remembers of one fingerprint, across runs. */
export interface FingerprintLedger {
  /** When its first occurrence went (epoch ms). */
  firstSentAt: number;
  lastSentAt: number;
  lastSeenAt: number;
  /** Tokens in the bucket as of `refilledAt`. */
  tokens: number;
  refilledAt: number;
  /** Held back since its last event went: rides on the next one. */
  pending: HeldBackCount | null;
  /** Held back over the ledger's lifetime (pending included). */
  heldBackTotal: number;
}

/** The budget's persisted state: one install's ledger. */
export interface BudgetLedger {
  version: 1;
  fingerprints: Record<string, FingerprintLedger>;
}

export function emptyLedger(): BudgetLedger {
  return { version: 1, fingerprints: {} };
}

export interface Occurrence {
  fingerprint: string;
  kind: string;
  level: BudgetLevel;
  at: number;
}

export type BudgetDecision =
  | { send: true; why: 'first' | 'token' | 'off'; carried: HeldBackCount | null }
  | { send: false; reason: Exclude<HoldReason, 'evicted'>; pending: HeldBackCount };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Refills summed over many steps may land a hair under a whole token. */
const TOKEN_EPSILON = 1e-9;

/**
 * Decides one occurrence against the ledger and updates it in place (the caller persists it):
 * 1. a fingerprint's first occurrence on this install always goes (its bucket starts empty);
 * 2. a repeat from an install outside the sample for its kind/level is held back;
 * 3. a repeat past the run's cap is held back;
 * 4. a repeat takes a token from its fingerprint's bucket (refilled at `perFingerprintPerDay`,
 *    holding at most `burst`), or is held back when there is none.
 * A held-back occurrence is counted on the fingerprint; the count rides on its next event.
 * `eventsThisRun` is the run's count so far (the caller adds one when the decision sends).
 */
export function decide(ledger: BudgetLedger, occurrence: Occurrence, options: ResolvedBudgetOptions, installId: string, eventsThisRun: number): BudgetDecision {
  const { fingerprint, at } = occurrence;
  const entry = ledger.fingerprints[fingerprint];
  if (!entry) {
    ledger.fingerprints[fingerprint] = { firstSentAt: at, lastSentAt: at, lastSeenAt: at, tokens: 0, refilledAt: at, pending: null, heldBackTotal: 0 };
    pruneLedger(ledger, options.maxFingerprints, fingerprint);
    return { send: true, why: 'first', carried: null };
  }
  entry.lastSeenAt = Math.max(entry.lastSeenAt, at);
  refill(entry, at, options);
  let reason: Exclude<HoldReason, 'evicted'> | null = null;
  if (!inSample(installId, occurrence, options)) reason = 'sampled';
  else if (eventsThisRun >= options.maxEventsPerRun) reason = 'run-cap';
  else if (entry.tokens < 1 - TOKEN_EPSILON) reason = 'fingerprint-budget';
  if (reason) {
    entry.pending = addHeldBack(entry.pending, reason, 1, at);
    entry.heldBackTotal += 1;
    return { send: false, reason, pending: entry.pending };
  }
  entry.tokens = Math.max(entry.tokens - 1, 0);
  entry.lastSentAt = at;
  const carried = entry.pending;
  entry.pending = null;
  return { send: true, why: 'token', carried };
}

/**
 * Adds the tokens earned since the last refill. A clock that went backwards earns nothing until it
 * passes the last refill again, so stepping the clock cannot mint tokens.
 */
function refill(entry: FingerprintLedger, now: number, options: ResolvedBudgetOptions): void {
  const elapsed = now - entry.refilledAt;
  if (elapsed <= 0) return;
  // Multiply first: time / day in that order keeps whole-token steps exact in floating point.
  entry.tokens = Math.min(options.burst, entry.tokens + (elapsed * options.perFingerprintPerDay) / DAY_MS);
  entry.refilledAt = now;
}

/** The sample rate for an occurrence: by kind when configured, else by level. */
export function sampleRate(occurrence: Pick<Occurrence, 'kind' | 'level'>, options: ResolvedBudgetOptions): number {
  const byKind = options.sampling.kinds[occurrence.kind];
  return clamp01(byKind ?? options.sampling.levels[occurrence.level] ?? 1);
}

/**
 * Deterministic per install: a hash of the install id with the kind and level, read as a number in
 * [0, 1), compared with the rate. The same install decides the same way in every run, and different
 * installs spread evenly, so a rate of 0.5 keeps about half the fleet.
 */
export function inSample(installId: string, occurrence: Pick<Occurrence, 'kind' | 'level'>, options: ResolvedBudgetOptions): boolean {
  const rate = sampleRate(occurrence, options);
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return samplePoint(installId, occurrence.kind, occurrence.level) < rate;
}

export function samplePoint(installId: string, kind: string, level: string): number {
  const digest = createHash('sha256').update(`${installId}\0${kind}\0${level}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Keeps the ledger bounded: least recently seen first, never one with a count still to carry, never `keep`. */
function pruneLedger(ledger: BudgetLedger, max: number, keep: string): void {
  const names = Object.keys(ledger.fingerprints);
  if (names.length <= max) return;
  const candidates = names
    .filter((name) => name !== keep && !ledger.fingerprints[name]?.pending)
    .sort((a, b) => (ledger.fingerprints[a]?.lastSeenAt ?? 0) - (ledger.fingerprints[b]?.lastSeenAt ?? 0));
  for (const name of candidates.slice(0, names.length - max)) delete ledger.fingerprints[name];
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 1;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
