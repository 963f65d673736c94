import { promises as fsp } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAIN_LOCK_NAME, enqueueBundle, pendingItems, Uploader, type DrainResult } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { loadSentry } from '../../src/upload/sentry-client.js';
import { defaultOutboundRedactor } from '../../src/upload/outbound-redaction.js';
import { MAX_TIMER_MS } from '../../src/clock.js';
import { RATE_LIMIT_CAP_MS } from '../../src/upload/rate-limits.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle } from './helpers.js';
import { settle, settled, track } from '../helpers/settle.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
let outboxDir: string;
let ingest: LocalIngest;
let uploader: Uploader | undefined;

beforeEach(async () => {
  dir = await tempDir();
  outboxDir = path.join(dir, 'outbox');
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await uploader?.close({ timeoutMs: 200 });
  uploader = undefined;
  await ingest.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('Uploader (what the embedding owns)', () => {
  it('drains what an earlier run left behind at start-up', async () => {
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }) });
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }) });
    const drains: DrainResult[] = [];
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, onDrain: (r) => drains.push(r) });
    uploader.start();
    await waitFor(() => drains.length > 0, 'a drain', 10_000);
    expect(drains[0]).toMatchObject({ sent: 2, pending: 0 });
    expect(uploader.stats).toMatchObject({ sent: 2, errors: 0 });
  });

  it('enqueue writes the item first, then sends it in the background', async () => {
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn });
    ingest.fault({ status: 200, delayMs: 300 });
    const queued = await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    expect((await pendingItems(outboxDir)).map((i) => i.eventId)).toEqual([queued.eventId]);
    await waitFor(() => ingest.events().length === 1, 'the event', 10_000);
    expect(ingest.events()[0]!.event_id).toBe(queued.eventId);
    await waitFor(async () => (await pendingItems(outboxDir)).length === 0, 'the item to be deleted', 5_000);
  });

  it('enqueues in a burst share drains: each bundle sent once, never refused by its own lock', async () => {
    const drains: DrainResult[] = [];
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, onDrain: (r) => drains.push(r) });
    const bundles = await Promise.all(Array.from({ length: 5 }, () => makeTestBundle(dir, { lines: 5 })));
    const queued = await Promise.all(bundles.map((b) => uploader!.enqueue(b)));
    await waitFor(async () => (await pendingItems(outboxDir)).length === 0, 'the outbox to empty', 10_000);
    await uploader.drain();
    expect(drains.every((d) => !d.locked)).toBe(true);
    const ids = ingest.events().map((e) => e.event_id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids)).toEqual(new Set(queued.map((q) => q.eventId)));
  });

  it('retries when the backoff falls due, on its own timer', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const drains: DrainResult[] = [];
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, clock, random: () => 0, onDrain: (r) => drains.push(r) });
    ingest.fault({ status: 500 });
    await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    await waitFor(() => drains.length === 1, 'the first drain', 10_000);
    expect(drains[0]!.results[0]).toMatchObject({ outcome: 'retry', status: 500 });
    clock.advance(2_000);
    expect(ingest.requests).toHaveLength(1);
    // Base 5 s with jitter 0 -> 2.5 s; the timer waits at least 1 s more than now.
    clock.advance(1_000);
    await waitFor(() => drains.length === 2, 'the retry drain', 10_000);
    expect(drains[1]).toMatchObject({ sent: 1, pending: 0 });
  });

  it('a 30-day Retry-After gives one re-drain, not thousands (every timer within the timer maximum)', async () => {
    // Node fires a delay past 2^31-1 ms after 1 ms (TimeoutOverflowWarning): this clock does the
    // same, so an unclamped 30-day wait would re-drain at every step below.
    class NodeLikeClock extends ManualClock {
      readonly delays: number[] = [];
      override setTimeout(fn: () => void, ms: number): unknown {
        this.delays.push(ms);
        return super.setTimeout(fn, ms > MAX_TIMER_MS || Number.isNaN(ms) ? 1 : ms);
      }
    }
    const clock = new NodeLikeClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const drains: DrainResult[] = [];
    const faults: unknown[] = [];
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, clock, onDrain: (r) => drains.push(r), onFault: (e) => faults.push(e) });
    ingest.fault({ status: 429, headers: { 'Retry-After': String(30 * 24 * 3600) } });
    await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    await waitFor(() => drains.length === 1, 'the first drain', 10_000);
    expect(drains[0]!.results[0]).toMatchObject({ outcome: 'rate-limited', nextAttemptAt: clock.now() + RATE_LIMIT_CAP_MS });
    // The stored limit is capped at 24 h: one timer, for then.
    expect(clock.pendingDelays()).toEqual([RATE_LIMIT_CAP_MS]);
    clock.advance(RATE_LIMIT_CAP_MS - 1);
    expect(drains).toHaveLength(1);
    clock.advance(1);
    await waitFor(() => drains.length === 2, 'the re-drain', 10_000);
    expect(drains[1]).toMatchObject({ sent: 1, pending: 0 });
    // The rest of the thirty days, an hour at a time: nothing more runs.
    for (let hour = 0; hour < 29 * 24; hour++) clock.advance(3_600_000);
    await uploader.drain();
    expect(drains).toHaveLength(2);
    expect(ingest.requests).toHaveLength(2);
    expect(clock.delays.every((d) => d >= 0 && d <= MAX_TIMER_MS)).toBe(true);
    expect(faults).toEqual([]);
  });

  it('a due time past the timer maximum (a damaged record) waits the maximum, counted as a fault, never spins', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const { itemId } = await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }), clock });
    const record = path.join(outboxDir, `${itemId}.json`);
    await fsp.writeFile(record, JSON.stringify({ ...JSON.parse(await fsp.readFile(record, 'utf8')), nextAttemptAt: clock.now() + 400 * 86_400_000 }));
    const faults: unknown[] = [];
    const drains: DrainResult[] = [];
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, clock, onDrain: (r) => drains.push(r), onFault: (e) => faults.push(e) });
    await uploader.drain();
    expect(clock.pendingDelays()).toEqual([MAX_TIMER_MS]);
    expect(faults).toHaveLength(1);
    expect(ingest.requests).toHaveLength(0);
  });

  it('close() returns within its budget while the server hangs, keeping the item and freeing the lock', async () => {
    ingest.fault({ hang: true });
    const clock = new ManualClock();
    uploader = new Uploader({ outboxDir, dsn: ingest.dsn, clock });
    await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    await waitFor(() => ingest.received.length === 1, 'the request to hang', 10_000);
    // Bounded by its clock, not by the network: still waiting while the clock stands still, done once it reaches the budget.
    const closing = track(uploader.close({ timeoutMs: 500 }));
    await settle();
    expect(closing.settled).toBe(false);
    clock.advance(500);
    await settled(closing, 'close at its budget');
    expect(await pendingItems(outboxDir)).toHaveLength(1);
    await waitFor(async () => !(await fsp.access(path.join(outboxDir, DRAIN_LOCK_NAME)).then(() => true, () => false)), 'the lock to go', 2_000);
  });

  it('imports Sentry and makes the outbound redactor once per uploader, on the first send, whatever the number of drains', async () => {
    let imports = 0;
    let redactors = 0;
    uploader = new Uploader({
      outboxDir,
      dsn: ingest.dsn,
      loadSentry: () => (imports++, loadSentry()),
      outboundRedactor: () => (redactors++, defaultOutboundRedactor()),
    });
    uploader.start();
    await uploader.drain();
    expect([imports, redactors]).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) {
      await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
      await uploader.drain();
    }
    expect(ingest.events()).toHaveLength(3);
    expect([imports, redactors]).toEqual([1, 1]);
  });

  it('holds background drains (and so the Sentry import) until notBefore: off the host app’s start-up path', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const importedAt: number[] = [];
    const drains: DrainResult[] = [];
    const options = { outboxDir, dsn: ingest.dsn, clock, notBefore: clock.now() + 5_000, onDrain: (r: DrainResult) => drains.push(r) };
    uploader = new Uploader({ ...options, loadSentry: () => (importedAt.push(clock.now()), loadSentry()) });
    uploader.start();
    const first = await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    clock.advance(4_999);
    // Drains run one after another: had start() or enqueue() kicked one, it would have sent the item before this one.
    expect(await uploader.drain()).toMatchObject({ sent: 1, results: [{ eventId: first.eventId, outcome: 'sent' }] });
    expect(drains).toHaveLength(1);

    const second = await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    expect(await pendingItems(outboxDir)).toHaveLength(1);
    clock.advance(1);
    await waitFor(() => drains.length === 2, 'the held drain', 10_000);
    expect(drains[1]).toMatchObject({ sent: 1, pending: 0, results: [{ eventId: second.eventId }] });
    expect(importedAt).toHaveLength(1);
  });

  describe('close() keeps its budget', () => {
    let server: net.Server;
    let sockets: net.Socket[];
    let deadDsn: string;
    beforeEach(async () => {
      // Accepts connections and never reads a byte nor answers: the request's write stalls.
      sockets = [];
      server = net.createServer((socket) => {
        socket.pause();
        sockets.push(socket);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      deadDsn = `http://key@127.0.0.1:${(server.address() as net.AddressInfo).port}/1`;
    });
    afterEach(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const lockGone = () => waitFor(async () => !(await fsp.access(path.join(outboxDir, DRAIN_LOCK_NAME)).then(() => true, () => false)), 'the lock to go', 5_000);

    it('while the first import of Sentry is slow: returns in time, and nothing is counted as an attempt', async () => {
      let finishImport: () => void = () => undefined;
      let imports = 0;
      const slowLoad = () => {
        imports++;
        return new Promise<Awaited<ReturnType<typeof loadSentry>>>((resolve) => {
          finishImport = () => void loadSentry().then(resolve);
        });
      };
      const clock = new ManualClock();
      uploader = new Uploader({ outboxDir, dsn: deadDsn, loadSentry: slowLoad, clock });
      const { itemId } = await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
      await waitFor(() => imports === 1, 'the import to start', 5_000);
      const closing = track(uploader.close({ timeoutMs: 300 }));
      await settle();
      expect(closing.settled).toBe(false);
      clock.advance(300);
      await settled(closing, 'close at its budget');
      finishImport();
      await lockGone();
      expect(sockets).toHaveLength(0);
      expect(await pendingItems(outboxDir)).toMatchObject([{ itemId, attempts: 0 }]);
      expect(imports).toBe(1);
    });

    it('while a connection is accepted but never read: returns in time, the item kept', async () => {
      const clock = new ManualClock();
      uploader = new Uploader({ outboxDir, dsn: deadDsn, clock });
      const { itemId } = await uploader.enqueue(await makeTestBundle(dir, { lines: 2_000, lineBytes: 400 }));
      await waitFor(() => sockets.length === 1, 'the connection', 10_000);
      const closing = track(uploader.close({ timeoutMs: 300 }));
      await settle();
      expect(closing.settled).toBe(false);
      clock.advance(300);
      await settled(closing, 'close at its budget');
      await lockGone();
      expect(await pendingItems(outboxDir)).toMatchObject([{ itemId, attempts: 1 }]);
    });
  });

  it('without a DSN bundles stay local: queued, never sent', async () => {
    uploader = new Uploader({ outboxDir });
    uploader.start();
    await uploader.enqueue(await makeTestBundle(dir, { lines: 5 }));
    const result = await uploader.drain();
    expect(result).toMatchObject({ sent: 0, pending: 1 });
    expect(ingest.received).toHaveLength(0);
  });

  it('a malformed DSN is refused when the uploader is made', () => {
    expect(() => new Uploader({ outboxDir, dsn: 'http://127.0.0.1/1' })).toThrow(/missing public key/);
  });
});
