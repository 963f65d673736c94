// One simulated install: its delivery budget (real: DeliveryBudget, reopened from its serialised
// ledger at every run), its outbox (modelled in memory; the bounds are the real planEvictions with
// DEFAULT_BOUNDS) and its uploader (modelled on drain.ts: one request per due item, oldest first;
// the decisions are the real retry-policy functions and @sentry/core's updateRateLimits and
// parseRetryAfterHeader; the event carries the real applyHeldBack).
import { createEnvelope, parseRetryAfterHeader, serializeEnvelope, updateRateLimits } from '@sentry/core';
import { DeliveryBudget } from '../../dist/upload/budget.js';
import { decodeLedger } from '../../dist/upload/budget-ledger-file.js';
import { planEvictions } from '../../dist/upload/eviction-policy.js';
import { applyHeldBack, mergeHeldBack } from '../../dist/upload/held-back.js';
import { DEFAULT_BOUNDS } from '../../dist/upload/outbox-bounds.js';
import { backoffDelay } from '../../dist/upload/retry-policy.js';
import { ATTACHMENT_CATEGORIES, blockedUntil as blockedFor, EVENT_CATEGORIES } from '../../dist/upload/rate-limits.js';

// A bundle is an event plus its attachments: the categories that hold it back.
const BUNDLE_CATEGORIES = [...EVENT_CATEGORIES, ...ATTACHMENT_CATEGORIES];
const blockedUntil = (limits, now) => blockedFor(limits, BUNDLE_CATEGORIES, now);
const pruneRateLimits = (limits, now) => Object.fromEntries(Object.entries(limits).filter(([, until]) => until > now));

/** Stand-in for the bundle zip and tail.log on the wire (the real bundle is ~tens of KB; see the table's note). */
const ATTACHMENT = 'x'.repeat(256);

export class SimInstall {
  constructor(index, installId, { budget, clock, random, post }) {
    this.index = index;
    this.installId = installId;
    this.budgetOptions = budget;
    this.clock = clock;
    this.random = random;
    this.post = post;
    this.ledgerJson = null;
    this.items = [];
    this.limits = {};
    this.seq = 0;
    this.timerAt = null;
    this.heldByBudget = 0;
    this.evicted = [];
  }

  /**
   * One occurrence, in a fresh run (the crash ended the previous one): the budget is opened from
   * the ledger the last run saved, as DeliveryBudget.open does from delivery-budget.json.
   */
  occur(occurrence) {
    let carried = null;
    if (this.budgetOptions !== false) {
      const ledger = this.ledgerJson ? decodeLedger(JSON.parse(this.ledgerJson)) : undefined;
      const budget = new DeliveryBudget({ installId: this.installId, ledger, options: this.budgetOptions, clock: this.clock });
      const decision = budget.admit(occurrence);
      this.ledgerJson = JSON.stringify(budget.snapshot());
      if (!decision.send) {
        this.heldByBudget++;
        return false;
      }
      carried = decision.carried;
    }
    const id = (this.index * 1_000_000 + this.seq++).toString(16).padStart(32, '0');
    this.items.push({ itemId: `${String(occurrence.at).padStart(13, '0')}-${id}`, eventId: id, createdAt: occurrence.at, bytes: 40_000, fingerprint: occurrence.fingerprint, level: occurrence.level, heldBack: carried, attempts: 0, nextAttemptAt: occurrence.at });
    return true;
  }

  pendingHeldBack() {
    if (!this.ledgerJson) return 0;
    return Object.values(JSON.parse(this.ledgerJson).fingerprints).reduce((sum, entry) => sum + (entry.pending?.total ?? 0), 0);
  }

  /** One drain, as drainOutbox does it; returns when the next one is due (null: nothing waits). */
  async drain() {
    const now = this.clock.now();
    const plan = planEvictions(this.items, now, DEFAULT_BOUNDS);
    for (const e of plan.evictions) this.evicted.push(e);
    this.items = plan.remaining.map((item) => (plan.carry.has(item.itemId) ? { ...item, heldBack: mergeHeldBack(item.heldBack, plan.carry.get(item.itemId)) } : item));
    this.limits = pruneRateLimits(this.limits, now);
    const waits = [];
    for (const item of [...this.items]) {
      const limitedUntil = blockedUntil(this.limits, now);
      if (limitedUntil || item.nextAttemptAt > now) {
        waits.push(Math.max(item.nextAttemptAt, limitedUntil));
        continue;
      }
      const previousAttempts = item.attempts;
      item.attempts++;
      item.nextAttemptAt = now + backoffDelay(item.attempts, this.random);
      const response = await this.post(this.envelope(item), now);
      this.limits = updateRateLimits(this.limits, { statusCode: response.status, headers: response.headers }, now);
      if (response.status >= 200 && response.status < 300) {
        this.items.splice(this.items.indexOf(item), 1);
      } else if (response.status === 429) {
        const retryAfter = response.headers['retry-after'] ? parseRetryAfterHeader(response.headers['retry-after'], now) : undefined;
        item.attempts = previousAttempts;
        item.nextAttemptAt = blockedUntil(this.limits, now) || now + (retryAfter ?? 60_000);
        waits.push(item.nextAttemptAt);
      } else {
        waits.push(item.nextAttemptAt);
        break;
      }
    }
    // The uploader's timer: the earliest due time, at least a second away.
    this.timerAt = waits.length > 0 ? Math.max(Math.min(...waits), now + 1_000) : null;
    return this.timerAt;
  }

  envelope(item) {
    const event = applyHeldBack({ event_id: item.eventId, level: item.level, fingerprint: [item.fingerprint], message: 'Renderer crashed', release: '1.42.0', tags: { 'diag.fingerprint': item.fingerprint } }, item.heldBack);
    return serializeEnvelope(
      createEnvelope({ event_id: item.eventId, sent_at: new Date(this.clock.now()).toISOString() }, [
        [{ type: 'event' }, event],
        [{ type: 'attachment', length: ATTACHMENT.length, filename: 'tail.log', content_type: 'text/plain' }, ATTACHMENT],
      ]),
    );
  }
}
