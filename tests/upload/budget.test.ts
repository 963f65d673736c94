import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryBudget, readPendingHeldBack } from '../../src/upload/budget.js';
import { decide, emptyLedger, inSample, resolveBudgetOptions, samplePoint } from '../../src/upload/budget-policy.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const crash = { fingerprint: 'fp1:render-process-gone:crashed:/chat/:id', kind: 'render-process-gone', level: 'fatal' as const };
const hang = { fingerprint: 'fp1:unresponsive:/chat/:id:renderLoop', kind: 'unresponsive', level: 'warning' as const };

let dataDir: string;
let clock: ManualClock;

beforeEach(async () => {
  dataDir = await tempDir();
  clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
});
afterEach(async () => {
  await fsp.rm(dataDir, { recursive: true, force: true });
});

/** A fresh process: the budget as the next run opens it from the data dir. */
async function restart(budget?: DeliveryBudget, options?: Parameters<typeof DeliveryBudget.open>[0]['budget']) {
  await budget?.idle();
  return DeliveryBudget.open({ dataDir, clock, budget: options });
}

describe('per-fingerprint token bucket, across restarts (fake clock)', () => {
  it('the first occurrence goes; repeats wait for tokens at perFingerprintPerDay, even across runs', async () => {
    let budget = await restart(undefined, { perFingerprintPerDay: 4, burst: 1 });
    expect(budget.admit(crash)).toMatchObject({ send: true, why: 'first' });
    // The bucket starts empty after the first: a restart a minute later does not refill it.
    for (let run = 0; run < 3; run++) {
      clock.advance(60_000);
      budget = await restart(budget, { perFingerprintPerDay: 4, burst: 1 });
      expect(budget.admit(crash)).toMatchObject({ send: false, reason: 'fingerprint-budget' });
    }
    // 4 a day is one token per 6 h, counted from the first occurrence.
    clock.advance(6 * HOUR - 3 * 60_000 - 1);
    budget = await restart(budget, { perFingerprintPerDay: 4, burst: 1 });
    expect(budget.admit(crash)).toMatchObject({ send: false });
    clock.advance(1_000);
    budget = await restart(budget, { perFingerprintPerDay: 4, burst: 1 });
    const next = budget.admit(crash);
    expect(next).toMatchObject({ send: true, why: 'token' });
    // The four held back before it ride on it, with their reasons and times.
    expect(next.send && next.carried).toMatchObject({ total: 4, byReason: { 'fingerprint-budget': 4 } });
    await budget.idle();
  });

  it('over a long run at one occurrence a minute, a fingerprint sends at most 1 + burst + perDay per day', async () => {
    const budget = new DeliveryBudget({ installId: 'a7f1b0e2-0000-4000-8000-000000000001', options: { perFingerprintPerDay: 6, burst: 2, maxEventsPerRun: 1e9 }, clock });
    let sent = 0;
    let held = 0;
    let carried = 0;
    for (let minute = 0; minute < 24 * 60; minute++) {
      const d = budget.admit(crash);
      if (d.send) {
        sent++;
        carried += d.carried?.total ?? 0;
      } else held++;
      clock.advance(60_000);
    }
    expect(sent).toBeLessThanOrEqual(1 + 2 + 6);
    expect(sent).toBeGreaterThanOrEqual(1 + 5);
    // Nothing is lost: every occurrence was sent, carried, or is still pending.
    expect(sent + carried + budget.pending().total).toBe(24 * 60);
    expect(held).toBe(carried + budget.pending().total);
  });

  it('a clock stepped backwards mints no tokens', () => {
    const options = resolveBudgetOptions({ perFingerprintPerDay: 24, burst: 1 });
    const ledger = emptyLedger();
    const at = clock.now();
    expect(decide(ledger, { ...crash, at }, options, 'id', 0).send).toBe(true);
    expect(decide(ledger, { ...crash, at: at - DAY }, options, 'id', 1).send).toBe(false);
    expect(decide(ledger, { ...crash, at: at + HOUR / 2 }, options, 'id', 1).send).toBe(false);
    expect(decide(ledger, { ...crash, at: at + HOUR }, options, 'id', 1).send).toBe(true);
  });

  it('the run cap holds back repeats past it; firsts still go', () => {
    const budget = new DeliveryBudget({ installId: 'x', options: { maxEventsPerRun: 2, perFingerprintPerDay: 1e6, burst: 100 }, clock });
    expect(budget.admit(crash).send).toBe(true);
    clock.advance(60_000);
    expect(budget.admit(crash).send).toBe(true);
    clock.advance(60_000);
    expect(budget.admit(crash)).toMatchObject({ send: false, reason: 'run-cap' });
    expect(budget.admit({ ...hang, fingerprint: 'another' })).toMatchObject({ send: true, why: 'first' });
    expect(budget.heldBackThisRun()).toEqual({ total: 1, byReason: { 'run-cap': 1 } });
  });

  it('budget: false sends everything and counts nothing', () => {
    const budget = new DeliveryBudget({ installId: 'x', options: false, clock });
    for (let i = 0; i < 50; i++) expect(budget.admit(crash)).toEqual({ send: true, why: 'off', carried: null });
    expect(budget.pending().total).toBe(0);
  });
});

describe('deterministic per-install sampling', () => {
  it('an install decides the same way in every run; the fleet splits at the configured rate', async () => {
    const options = resolveBudgetOptions();
    const first = await restart();
    const again = await restart(first);
    expect(again.installId).toBe(first.installId);
    expect(await fsp.readFile(path.join(dataDir, 'install-id'), 'utf8')).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(inSample(again.installId, hang, options)).toBe(inSample(first.installId, hang, options));
    expect(samplePoint(first.installId, 'unresponsive', 'warning')).toBe(samplePoint(again.installId, 'unresponsive', 'warning'));
    // 2,000 made-up installs at the default warning rate (0.5): about half are in.
    const ids = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const kept = ids.filter((id) => inSample(id, hang, options)).length;
    expect(kept).toBeGreaterThan(900);
    expect(kept).toBeLessThan(1100);
  });

  it('fatal is never sampled out by default, whatever the install id', () => {
    const options = resolveBudgetOptions({ sampling: { levels: { warning: 0, error: 0 } } });
    for (let i = 0; i < 500; i++) expect(inSample(`install-${i}`, crash, options)).toBe(true);
  });

  it('a sampled-out install still sends the first of each fingerprint, then holds repeats as sampled', () => {
    const budget = new DeliveryBudget({ installId: 'x', options: { sampling: { kinds: { unresponsive: 0 } }, perFingerprintPerDay: 1e6 }, clock });
    expect(budget.admit(hang)).toMatchObject({ send: true, why: 'first' });
    clock.advance(DAY);
    expect(budget.admit(hang)).toMatchObject({ send: false, reason: 'sampled' });
    expect(budget.pending()).toMatchObject({ total: 1, byReason: { sampled: 1 }, fingerprints: [{ fingerprint: hang.fingerprint, total: 1 }] });
  });
});

describe('held back: counted, journaled, readable from the data dir', () => {
  it('journals each hold with its reason and shows the pending counts to upload --json', async () => {
    const budget = await restart();
    budget.admit(crash);
    clock.advance(1000);
    budget.admit(crash);
    clock.advance(1000);
    budget.admit(crash);
    await budget.idle();
    const journal = (await fsp.readFile(path.join(dataDir, 'held-back.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(journal).toEqual([
      expect.objectContaining({ fingerprint: crash.fingerprint, kind: 'render-process-gone', level: 'fatal', reason: 'fingerprint-budget' }),
      expect.objectContaining({ reason: 'fingerprint-budget' }),
    ]);
    expect(await readPendingHeldBack(dataDir)).toMatchObject({ total: 2, byReason: { 'fingerprint-budget': 2 } });
  });

  it('a damaged ledger is moved aside, not lost, and the budget starts empty', async () => {
    await fsp.writeFile(path.join(dataDir, 'delivery-budget.json'), '{"version":1,"fingerprints":');
    // The read-only view changes nothing.
    expect((await readPendingHeldBack(dataDir)).total).toBe(0);
    expect(await fsp.readdir(dataDir)).toEqual(['delivery-budget.json']);
    const budget = await restart();
    expect(budget.admit(crash)).toMatchObject({ send: true, why: 'first' });
    await budget.idle();
    expect((await fsp.readdir(dataDir)).sort()).toEqual(
      expect.arrayContaining(['delivery-budget.json', 'install-id', expect.stringMatching(/^delivery-budget\.corrupt-\d+\.json$/)]),
    );
  });
});
