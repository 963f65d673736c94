import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  acquireDrainLock,
  DRAIN_LOCK_NAME,
  drainOutbox,
  enforceBounds,
  enqueueBundle,
  OutboxStore,
  pendingItems,
  type Transport,
} from '../../src/upload/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

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

async function queue(n: number, lines = 20) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const bundle = await makeTestBundle(dir, { lines });
    out.push(await enqueueBundle({ outboxDir, bundlePath: bundle, clock }));
    clock.advance(1000);
  }
  return out;
}

describe('outbox bounds: count, bytes, age; every eviction recorded', () => {
  it('moves the oldest items over the count bound to failed/, with a record each', async () => {
    const items = await queue(5);
    const store = new OutboxStore(outboxDir, clock);
    const report = await enforceBounds(store, clock.now(), { maxItems: 3 });
    expect(report).toEqual({ movedToFailed: 2, deleted: 0 });
    expect((await pendingItems(outboxDir)).map((i) => i.itemId)).toEqual(items.slice(2).map((i) => i.itemId));
    // Items queued without a fingerprint are each a fingerprint of their own: the oldest go first.
    expect((await store.listFailed()).map((i) => [i.itemId, i.failedReason])).toEqual([
      [items[0]!.itemId, 'evicted: outbox over 3 items (the last queued of its fingerprint)'],
      [items[1]!.itemId, 'evicted: outbox over 3 items (the last queued of its fingerprint)'],
    ]);
    expect((await store.evictions()).map((e) => e.eventId)).toEqual([items[0]!.eventId, items[1]!.eventId]);
  });

  it('a full disk while recording an eviction does not stop the bounds; a torn record line loses no other', async () => {
    const items = await queue(3);
    const logged: string[] = [];
    const store = new OutboxStore(outboxDir, clock, (level, message) => logged.push(`${level} ${message}`));
    const appendFile = vi.spyOn(fsp, 'appendFile').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    try {
      expect(await enforceBounds(store, clock.now(), { maxItems: 1 })).toEqual({ movedToFailed: 2, deleted: 0 });
    } finally {
      appendFile.mockRestore();
    }
    expect((await store.listFailed()).map((i) => i.itemId)).toEqual([items[0]!.itemId, items[1]!.itemId]);
    expect(logged).toContainEqual(expect.stringMatching(/^error outbox: could not record an eviction .*ENOSPC/));
    await fsp.appendFile(path.join(outboxDir, 'evictions.jsonl'), '{"at":1,"itemId":"torn');
    expect((await store.evictions()).map((e) => e.itemId)).toEqual([items[1]!.itemId]);
  });

  it('evicts by bytes and by age', async () => {
    const items = await queue(3);
    const store = new OutboxStore(outboxDir, clock);
    const sizes = (await pendingItems(outboxDir)).map((i) => i.bytes);
    await enforceBounds(store, clock.now(), { maxBytes: sizes[1]! + sizes[2]! });
    expect((await pendingItems(outboxDir)).map((i) => i.itemId)).toEqual([items[1]!.itemId, items[2]!.itemId]);
    clock.advance(10 * 24 * 3600 * 1000);
    await enforceBounds(store, clock.now(), { maxAgeMs: 24 * 3600 * 1000 });
    expect(await pendingItems(outboxDir)).toHaveLength(0);
    const reasons = (await store.evictions()).map((e) => e.reason);
    expect(reasons[0]).toMatch(/over \d+ bytes/);
    expect(reasons.slice(1)).toEqual(['expired: queued longer than 24 h', 'expired: queued longer than 24 h']);
  });

  it('deletes the oldest of failed/ over its bound, recording it', async () => {
    const items = await queue(3);
    const store = new OutboxStore(outboxDir, clock);
    for (const item of await store.list()) await store.moveToFailed(item, 400, 'rejected');
    const report = await enforceBounds(store, clock.now(), { maxFailedItems: 1 });
    expect(report.deleted).toBe(2);
    expect((await store.listFailed()).map((i) => i.itemId)).toEqual([items[2]!.itemId]);
    expect((await store.evictions()).filter((e) => e.action === 'deleted').map((e) => e.itemId)).toEqual([items[0]!.itemId, items[1]!.itemId]);
  });
});

describe('crash recovery of half-written items', () => {
  it('rebuilds the record of a zip whose record was never written, keeping its event id', async () => {
    const [item] = await queue(1);
    await fsp.rm(path.join(outboxDir, `${item!.itemId}.json`));
    // Younger than the grace period: an enqueue may still be writing it.
    expect(await pendingItems(outboxDir)).toHaveLength(0);
    const old = new Date(Date.now() - 5 * 60_000);
    await fsp.utimes(path.join(outboxDir, `${item!.itemId}.zip`), old, old);
    const [recovered] = await pendingItems(outboxDir);
    expect(recovered).toMatchObject({ itemId: item!.itemId, eventId: item!.eventId });
  });

  it('a record without its zip (interrupted delete after a 2xx) is cleaned up, not resent', async () => {
    const [item] = await queue(1);
    await fsp.rm(path.join(outboxDir, `${item!.itemId}.zip`));
    expect(await pendingItems(outboxDir)).toHaveLength(0);
    await expect(fsp.access(path.join(outboxDir, `${item!.itemId}.json`))).rejects.toThrow();
  });

  it('sweeps old temp files left by an interrupted copy, keeps young ones', async () => {
    await queue(1);
    const old = path.join(outboxDir, '.x.zip.123.abcd.tmp');
    const young = path.join(outboxDir, '.y.zip.123.abcd.tmp');
    await fsp.writeFile(old, 'partial');
    await fsp.writeFile(young, 'partial');
    const past = new Date(Date.now() - 2 * 3600_000);
    await fsp.utimes(old, past, past);
    await enforceBounds(new OutboxStore(outboxDir, clock), clock.now());
    await expect(fsp.access(old)).rejects.toThrow();
    await fsp.access(young);
    expect(await pendingItems(outboxDir)).toHaveLength(1);
  });

  it('finishes an interrupted move to failed/', async () => {
    const [item] = await queue(1);
    await fsp.mkdir(path.join(outboxDir, 'failed'), { recursive: true });
    await fsp.rename(path.join(outboxDir, `${item!.itemId}.zip`), path.join(outboxDir, 'failed', `${item!.itemId}.zip`));
    expect(await pendingItems(outboxDir)).toHaveLength(0);
    const failed = await new OutboxStore(outboxDir, clock).listFailed();
    expect(failed.map((f) => f.eventId)).toEqual([item!.eventId]);
  });
});

describe('drain lock', () => {
  it('admits one holder; a second is refused until release', async () => {
    await fsp.mkdir(outboxDir, { recursive: true });
    const first = await acquireDrainLock(outboxDir, { clock });
    expect(first).not.toBeNull();
    expect(await acquireDrainLock(outboxDir, { clock })).toBeNull();
    await first!.release();
    const again = await acquireDrainLock(outboxDir, { clock });
    expect(again).not.toBeNull();
    await again!.release();
  });

  it('takes over a lock whose owner is dead', async () => {
    await fsp.mkdir(outboxDir, { recursive: true });
    await fsp.writeFile(
      path.join(outboxDir, DRAIN_LOCK_NAME),
      JSON.stringify({ pid: 999_999_999, token: 'dead', acquiredAt: clock.now(), heartbeatAt: clock.now() }),
    );
    const lock = await acquireDrainLock(outboxDir, { clock });
    expect(lock).not.toBeNull();
    const content = JSON.parse(await fsp.readFile(path.join(outboxDir, DRAIN_LOCK_NAME), 'utf8'));
    expect(content.pid).toBe(process.pid);
    await lock!.release();
  });

  it('takes over a live owner only when its heartbeat is older than the stale age', async () => {
    await fsp.mkdir(outboxDir, { recursive: true });
    const holder = await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 });
    clock.advance(30_000);
    expect(await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 })).toBeNull();
    await holder!.refresh();
    clock.advance(59_000);
    expect(await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 })).toBeNull();
    clock.advance(2_000);
    const taker = await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 });
    expect(taker).not.toBeNull();
    // The old holder's release must not remove the new holder's lock.
    await holder!.release();
    expect(await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 })).toBeNull();
    await taker!.release();
  });

  it('a live owner whose heartbeat is far in the future (the clock was set back) is stale too', async () => {
    await fsp.mkdir(outboxDir, { recursive: true });
    const write = (heartbeatAt: number) =>
      fsp.writeFile(path.join(outboxDir, DRAIN_LOCK_NAME), JSON.stringify({ pid: process.pid, token: 'other', acquiredAt: heartbeatAt, heartbeatAt }));
    await write(clock.now() + 30_000);
    expect(await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 })).toBeNull();
    await write(clock.now() + 24 * 3_600_000);
    const lock = await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 });
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('a holder that was taken over learns it on refresh and leaves the new lock alone', async () => {
    await fsp.mkdir(outboxDir, { recursive: true });
    const holder = await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 });
    expect(await holder!.refresh()).toBe(true);
    clock.advance(61_000);
    const taker = await acquireDrainLock(outboxDir, { clock, staleMs: 60_000 });
    const before = await fsp.readFile(path.join(outboxDir, DRAIN_LOCK_NAME), 'utf8');
    expect(await holder!.refresh()).toBe(false);
    expect(await fsp.readFile(path.join(outboxDir, DRAIN_LOCK_NAME), 'utf8')).toBe(before);
    await taker!.release();
  });

  it('a hung drain that was taken over stops sending: each item goes out once, by the new holder', async () => {
    const queued = await queue(3, 5);
    const sent: string[] = [];
    let taker: Awaited<ReturnType<typeof acquireDrainLock>> = null;
    // The first request stalls past the stale age (a hung process); meanwhile another one takes the lock over.
    const transport: Transport = async (request) => {
      sent.push(request.url);
      if (sent.length === 1) {
        clock.advance(11 * 60_000);
        taker = await acquireDrainLock(outboxDir, { clock });
      }
      return { kind: 'http', status: 200, headers: {} };
    };
    const result = await drainOutbox({ outboxDir, dsn: 'http://key@127.0.0.1:9/1', clock, transport });
    expect(taker).not.toBeNull();
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ sent: 1, pending: 2 });
    expect(result.results.map((r) => r.outcome)).toEqual(['sent', 'deferred', 'deferred']);
    expect((await pendingItems(outboxDir)).map((i) => i.eventId)).toEqual(queued.slice(1).map((q) => q.eventId));
    // The new holder's lock is still in place.
    expect(await acquireDrainLock(outboxDir, { clock })).toBeNull();
    await taker!.release();
  });
});
