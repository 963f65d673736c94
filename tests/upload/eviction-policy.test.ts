import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryBudget } from '../../src/upload/budget.js';
import { planEvictions } from '../../src/upload/eviction-policy.js';
import { drainOutbox, enforceBounds, enqueueBundle, OutboxStore, pendingItems } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeTestBundle } from './helpers.js';

let dir: string;
let outboxDir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await tempDir();
  outboxDir = path.join(dir, 'outbox');
  clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const LIMITS = { maxItems: 4, maxBytes: Number.MAX_SAFE_INTEGER, maxAgeMs: 30 * 24 * 3_600_000 };
const item = (n: number, fingerprint?: string) => ({ itemId: `item-${n}`, createdAt: n * 1000, bytes: 100, ...(fingerprint ? { fingerprint } : {}) });

describe('eviction policy (pure): repeats first, then latests, then firsts; oldest first within each', () => {
  it('keeps the first and the latest of each fingerprint while repeats remain', () => {
    // A wave of fingerprint A between the first and the latest of B and one C.
    const items = [item(1, 'A'), item(2, 'B'), item(3, 'A'), item(4, 'A'), item(5, 'A'), item(6, 'C'), item(7, 'A'), item(8, 'B')];
    const plan = planEvictions(items, 10_000, LIMITS);
    expect(plan.evictions.map((e) => [e.item.itemId, e.rank])).toEqual([
      ['item-3', 'repeat'],
      ['item-4', 'repeat'],
      ['item-5', 'repeat'],
      ['item-7', 'latest'],
    ]);
    expect(plan.remaining.map((i) => i.itemId)).toEqual(['item-1', 'item-2', 'item-6', 'item-8']);
    // Each evicted A is carried on by the last A left (the first, once the latest went too).
    expect(plan.carry.get('item-1')).toMatchObject({ total: 4, byReason: { evicted: 4 } });
  });

  it('evicts a fingerprint\'s only item only when nothing else is left to evict, oldest first', () => {
    const items = [item(1, 'A'), item(2, 'B'), item(3, 'C'), item(4, 'D'), item(5, 'E'), item(6)];
    const plan = planEvictions(items, 10_000, LIMITS);
    expect(plan.evictions.map((e) => [e.item.itemId, e.rank, e.carriedTo])).toEqual([
      ['item-1', 'first', undefined],
      ['item-2', 'first', undefined],
    ]);
  });

  it('an evicted item\'s own carried count moves on with it', () => {
    const carried = { total: 7, byReason: { 'fingerprint-budget': 7 }, firstAt: 1, lastAt: 2 };
    const items = [item(1, 'A'), { ...item(2, 'A'), heldBack: carried }, item(3, 'A')];
    const plan = planEvictions(items, 10_000, { ...LIMITS, maxItems: 2 });
    expect(plan.evictions.map((e) => e.item.itemId)).toEqual(['item-2']);
    expect(plan.carry.get('item-3')).toMatchObject({ total: 8, byReason: { 'fingerprint-budget': 7, evicted: 1 } });
  });
});

describe('outbox bounds on disk: the policy, every eviction recorded with its reason', () => {
  it('60 queued bundles of a wave and a few others: the first and latest of each fingerprint stay', { timeout: 60_000 }, async () => {
    const bundle = await makeTestBundle(dir, { lines: 5 });
    const queued: Array<{ itemId: string; fingerprint: string }> = [];
    const push = async (fingerprint: string) => {
      const q = await enqueueBundle({ outboxDir, bundlePath: bundle, fingerprint, clock });
      queued.push({ itemId: q.itemId, fingerprint });
      clock.advance(1000);
    };
    await push('other-1');
    for (let i = 0; i < 30; i++) await push('wave');
    await push('other-2');
    for (let i = 0; i < 27; i++) await push('wave');
    await push('other-3');
    const store = new OutboxStore(outboxDir, clock);
    const report = await enforceBounds(store, clock.now(), { maxItems: 10 });
    expect(report.movedToFailed).toBe(50);
    const left = (await pendingItems(outboxDir)).map((i) => i.itemId);
    const ofWave = queued.filter((q) => q.fingerprint === 'wave');
    for (const keep of [queued[0]!, ofWave[0]!, ofWave.at(-1)!, ...queued.filter((q) => q.fingerprint.startsWith('other'))]) expect(left).toContain(keep.itemId);
    const evictions = await store.evictions();
    expect(evictions).toHaveLength(50);
    expect(evictions.every((e) => e.fingerprint === 'wave' && e.rank === 'repeat' && /^evicted: outbox over 10 items \(a repeat/.test(e.reason))).toBe(true);
    // The wave's latest item now carries every evicted repeat.
    const latest = (await pendingItems(outboxDir)).find((i) => i.itemId === ofWave.at(-1)!.itemId);
    expect(latest?.heldBack).toMatchObject({ total: 50, byReason: { evicted: 50 } });
    expect(new Set(evictions.map((e) => e.carriedTo))).toEqual(new Set([latest!.itemId]));
  });
});

describe('held back: carried into the next event of that fingerprint, as Sentry receives it', () => {
  let ingest: LocalIngest;
  beforeEach(async () => {
    ingest = await startLocalIngest();
  });
  afterEach(async () => {
    await ingest.close();
  });

  it('the budget holds repeats back; the next event that goes carries diag.held_back with its reasons', { timeout: 60_000 }, async () => {
    const budget = new DeliveryBudget({ installId: 'b5c2d6e4-0000-4000-8000-000000000002', options: { perFingerprintPerDay: 1, burst: 1 }, clock });
    const occurrence = { fingerprint: 'fp1:render-process-gone:oom:/chat/:id', kind: 'render-process-gone', level: 'fatal' as const };
    const bundle = await makeTestBundle(dir, { lines: 5 });
    const sent: Array<{ held: number }> = [];
    for (let hour = 0; hour <= 24; hour++) {
      const decision = budget.admit(occurrence);
      if (decision.send) {
        await enqueueBundle({ outboxDir, bundlePath: bundle, fingerprint: occurrence.fingerprint, heldBack: decision.carried, clock });
        sent.push({ held: decision.carried?.total ?? 0 });
      }
      clock.advance(3_600_000);
    }
    expect(sent).toEqual([{ held: 0 }, { held: 23 }]);
    const result = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(result.sent).toBe(2);
    const events = ingest.events();
    expect(events[0]?.extra).toBeUndefined();
    expect(events[1]?.extra).toEqual({ 'diag.held_back': 23 });
    expect((events[1]?.contexts as Record<string, unknown>).budget).toMatchObject({ held_back: 23, reasons: { 'fingerprint-budget': 23 } });
  });
});
