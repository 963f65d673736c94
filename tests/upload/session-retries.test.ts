/**
 * A session update is counted by Sentry at most once, however its requests end. Relay turns each
 * update it receives into release-health metrics (getsentry/relay,
 * relay-server/src/metrics_extraction/sessions/mod.rs `extract_session_metrics`): `init: true` adds
 * 1 to the sessions counter, status crashed / abnormal 1 to theirs, and errored sessions and users
 * are sets by `sid` / `did`. The counters are not deduplicated by `sid` or `seq`, so
 * `relayCounts` below sums them as Relay does and the tests check no counter passes 1 for a session,
 * with the local ingest taking a request and never answering it (a timeout after the server kept it).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainOutbox } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { deliveryOf } from '../../src/upload/session-counts.js';
import { SessionOutbox } from '../../src/upload/session-outbox.js';
import { sessionUpdate } from '../../src/upload/session-update.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { sessionSchemaProblems } from './sentry-schemas.js';
import { useLocalIngest } from './local-ingest-setup.js';
import { okSession } from './session-fixture.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const TIMEOUT_MS = 5_000;
const RUN = okSession(NOW - 60_000);

let dir: string;
let outboxDir: string;
let ingest: LocalIngest;
let clock: ManualClock;

useLocalIngest(NOW, (s) => ({ dir, outboxDir, ingest, clock } = s));

function sessionItems(from: LocalIngest = ingest): Array<Record<string, any>> {
  const items = from.envelopes.flatMap((e) => e.items.filter(([h]) => h.type === 'session').map(([, p]) => p as Record<string, any>));
  for (const item of items) expect(sessionSchemaProblems(item)).toEqual([]);
  return items;
}

/** Relay's session metrics for what the ingest kept: counters summed, sets deduplicated. */
function relayCounts(items: Array<Record<string, any>>) {
  return {
    init: items.filter((s) => s.init === true).length,
    crashed: items.filter((s) => s.status === 'crashed').length,
    abnormal: items.filter((s) => s.status === 'abnormal').length,
    errored: new Set(items.filter((s) => s.errors > 0 || !['ok', 'exited'].includes(s.status)).map((s) => s.sid)).size,
    users: new Set(items.map((s) => s.did)).size,
  };
}

/** One drain whose request is taken by the server and never answered: it times out on the manual clock. */
async function drainIntoSilence(): Promise<Awaited<ReturnType<typeof drainOutbox>>> {
  ingest.fault({ hang: true, record: true });
  const before = ingest.received.length;
  const drain = drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
  await waitFor(() => ingest.received.length > before, 'the server to take the request', 20_000);
  clock.advance(TIMEOUT_MS);
  return drain;
}

describe('session retries never count twice in Sentry', () => {
  it('init timed out after the server kept it: the retry is the same update (sid, seq) without init', async () => {
    await new SessionOutbox(outboxDir).put(sessionUpdate(RUN, true, NOW), NOW);
    const first = await drainIntoSilence();
    expect(first.sessions).toMatchObject({ sent: 0, pending: 1 });
    expect(sessionItems()).toHaveLength(1);

    const second = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(second.sessions).toMatchObject({ sent: 1, pending: 0 });
    const [kept, retried] = sessionItems();
    expect(retried).toEqual({ ...kept, init: false });
    expect(relayCounts(sessionItems())).toEqual({ init: 1, crashed: 0, abnormal: 0, errored: 0, users: 1 });
    // Nothing is left behind: no update, no marker.
    expect(await fsp.readdir(path.join(outboxDir, 'sessions'))).toEqual([]);
  });

  it('a crash queued offline (init and crashed as one update) that timed out is not sent again', async () => {
    const outbox = new SessionOutbox(outboxDir);
    await outbox.put(sessionUpdate(RUN, true, NOW), NOW);
    await outbox.put(sessionUpdate({ ...RUN, seq: 1, errors: 1, status: 'crashed' }, false, NOW + 1), NOW + 1);
    await drainIntoSilence();
    expect(sessionItems()).toEqual([expect.objectContaining({ init: true, status: 'crashed', seq: 1 })]);

    const second = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(second.sessions).toMatchObject({ sent: 1, pending: 0 });
    expect(ingest.requests).toHaveLength(1);
    expect(relayCounts(sessionItems())).toEqual({ init: 1, crashed: 1, abnormal: 0, errored: 1, users: 1 });
    expect(await fsp.readdir(path.join(outboxDir, 'sessions'))).toEqual([]);
  });

  it('an exited update that timed out goes again as it was (it adds to no counter)', async () => {
    const outbox = new SessionOutbox(outboxDir);
    await outbox.put(sessionUpdate(RUN, true, NOW), NOW);
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    await outbox.put(sessionUpdate({ ...RUN, seq: 1, status: 'exited' }, false, NOW + 2), NOW + 2);
    await drainIntoSilence();
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    const [, exited, again] = sessionItems();
    expect(again).toEqual(exited);
    expect(exited).toMatchObject({ status: 'exited', seq: 1, init: false });
    expect(relayCounts(sessionItems())).toMatchObject({ init: 1, crashed: 0, abnormal: 0 });
  });

  it('a request that never reached the server (connection refused) keeps its counts for the retry', async () => {
    const down = await startLocalIngest();
    const refusedDsn = down.dsn;
    await down.close();
    await new SessionOutbox(outboxDir).put(sessionUpdate({ ...RUN, status: 'abnormal', seq: 1 }, true, NOW), NOW);
    const first = await drainOutbox({ outboxDir, dsn: refusedDsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(first.sessions).toMatchObject({ sent: 0, pending: 1 });
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(sessionItems()).toEqual([expect.objectContaining({ init: true, status: 'abnormal', seq: 1 })]);
    expect(relayCounts(sessionItems())).toMatchObject({ init: 1, abnormal: 1 });
  });

  it('a server that said no (503, 429) keeps the counts for the retry', async () => {
    await new SessionOutbox(outboxDir).put(sessionUpdate(RUN, true, NOW), NOW);
    ingest.fault({ status: 503 });
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(sessionItems()).toEqual([expect.objectContaining({ init: true })]);
  });

  it('counts marked before a request a killed process never finished are not sent again', async () => {
    const outbox = new SessionOutbox(outboxDir);
    await outbox.put(sessionUpdate(RUN, true, NOW), NOW);
    // What a drain writes just before its request: a kill right after leaves it behind.
    await outbox.markDelivered(RUN.sid, { init: true, fatal: null });
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(sessionItems()).toEqual([expect.objectContaining({ init: false, status: 'ok' })]);
  });

  it('tells a request that may have arrived from one that cannot have', () => {
    expect(deliveryOf({ kind: 'http', status: 200, headers: {} })).toBe('yes');
    expect(deliveryOf({ kind: 'http', status: 429, headers: {} })).toBe('no');
    expect(deliveryOf({ kind: 'http', status: 504, headers: {} })).toBe('maybe');
    expect(deliveryOf({ kind: 'network', code: 'ETIMEDOUT', message: '', requestSent: true })).toBe('maybe');
    expect(deliveryOf({ kind: 'network', code: 'ETIMEDOUT', message: '', requestSent: false })).toBe('no');
    expect(deliveryOf({ kind: 'network', code: 'ECONNRESET', message: '' })).toBe('maybe');
    expect(deliveryOf({ kind: 'network', code: 'ECONNREFUSED', message: '' })).toBe('no');
  });
});

describe('delivered markers', () => {
  it('a marker whose session has nothing pending (a crash between two removals) is removed by the next drain', async () => {
    const outbox = new SessionOutbox(outboxDir);
    await outbox.markDelivered(RUN.sid, { init: true, fatal: null });
    expect(await outbox.list()).toEqual([]);
    expect(await fsp.readdir(path.join(outboxDir, 'sessions'))).toEqual([`${RUN.sid}.delivered.json`]);
    await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, requestTimeoutMs: TIMEOUT_MS });
    expect(await fsp.readdir(path.join(outboxDir, 'sessions'))).toEqual([]);
  });
});
