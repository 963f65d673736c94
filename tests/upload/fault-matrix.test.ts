import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../src/bundle/zip-reader.js';
import { DiagError } from '../../src/errors.js';
import { drainOutbox, enqueueBundle, OutboxStore, parseDsn, pendingItems, type DrainOptions } from '../../src/upload/index.js';
import { rateLimitKey } from '../../src/upload/rate-limit-file.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle, sha256 } from './helpers.js';
import { settle, settled, track } from '../helpers/settle.js';
import { waitFor } from '../helpers/wait-for.js';
import { useLocalIngest } from './local-ingest-setup.js';

let dir: string;
let outboxDir: string;
let ingest: LocalIngest;
let clock: ManualClock;

useLocalIngest(Date.UTC(2026, 10, 20, 12, 0, 0), (s) => ({ dir, outboxDir, ingest, clock } = s));

const drain = (extra: Partial<DrainOptions> = {}) => drainOutbox({ outboxDir, dsn: ingest.dsn, clock, random: () => 0.5, ...extra });

async function queueOne(lines = 40) {
  const bundle = await makeTestBundle(dir, { lines });
  const queued = await enqueueBundle({ outboxDir, bundlePath: bundle, clock });
  clock.advance(1); // items are ordered by their creation time
  return { bundle, ...queued };
}

/** This DSN's entry of rate-limits.json (limits are kept per DSN). */
async function storedLimits() {
  const file = JSON.parse(await fsp.readFile(path.join(outboxDir, 'rate-limits.json'), 'utf8'));
  return file.byDsn[rateLimitKey(parseDsn(ingest.dsn))] as Record<string, number>;
}

async function itemRecord(itemId: string) {
  return JSON.parse(await fsp.readFile(path.join(outboxDir, `${itemId}.json`), 'utf8')) as Record<string, unknown>;
}

describe('fault matrix: every failure keeps the bundle and it arrives once the server recovers', () => {
  for (const status of [500, 503]) {
    it(`${status}: retries on a persisted capped backoff, then sends the same event`, async () => {
      const { itemId, eventId } = await queueOne();
      ingest.fault({ status });
      const first = await drain();
      expect(first.results[0]).toMatchObject({ outcome: 'retry', status });
      expect(first.pending).toBe(1);
      const record = await itemRecord(itemId);
      // attempt 1: base 5 s, equal jitter with random 0.5 -> 3.75 s.
      expect(record).toMatchObject({ attempts: 1, lastStatus: status, nextAttemptAt: clock.now() + 3750 });

      // Not due yet: an automatic drain sends nothing.
      clock.advance(3000);
      const early = await drain();
      expect(early.results[0]).toMatchObject({ outcome: 'deferred' });
      expect(ingest.requests).toHaveLength(1);

      clock.advance(1000);
      const second = await drain();
      expect(second).toMatchObject({ sent: 1, pending: 0 });
      expect(ingest.events().map((e) => e.event_id)).toEqual([eventId]);
    });
  }

  it('backoff grows and is capped across restarts (schedule read back from disk)', async () => {
    const { itemId } = await queueOne();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      ingest.fault({ status: 503 });
      const before = clock.now();
      await drain({ backoff: { baseMs: 1000, maxMs: 8000 } });
      const next = (await itemRecord(itemId)).nextAttemptAt as number;
      waits.push(next - before);
      clock.advance(next - before);
    }
    expect(waits).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
  });

  it('429 with Retry-After: nothing is sent until the time has passed, even by a forced drain', async () => {
    const { itemId, eventId } = await queueOne();
    ingest.fault({ status: 429, headers: { 'Retry-After': '120' } });
    const first = await drain({ force: true });
    expect(first.results[0]).toMatchObject({ outcome: 'rate-limited', status: 429, nextAttemptAt: clock.now() + 120_000 });
    expect(first.rateLimitedUntil).toBe(clock.now() + 120_000);
    expect(await storedLimits()).toEqual({ all: clock.now() + 120_000 });
    expect(await itemRecord(itemId)).toMatchObject({ attempts: 0, lastStatus: 429 });

    clock.advance(60_000);
    const during = await drain({ force: true });
    expect(during.results[0]).toMatchObject({ outcome: 'deferred' });
    expect(during.rateLimitedUntil).toBe(clock.now() + 60_000);
    expect(ingest.requests).toHaveLength(1);

    clock.advance(60_001);
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
    expect(ingest.events()[0]!.event_id).toBe(eventId);
  });

  it('429 with X-Sentry-Rate-Limits: honours the per-category limit and ignores other categories', async () => {
    await queueOne();
    ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': '30:error;attachment:key:quota, 3600:transaction:key:quota' } });
    await drain();
    // transaction is a category this client never sends: not even stored.
    expect(await storedLimits()).toEqual({ error: clock.now() + 30_000, attachment: clock.now() + 30_000 });
    clock.advance(29_000);
    expect((await drain({ force: true })).results[0]).toMatchObject({ outcome: 'deferred' });
    expect(ingest.requests).toHaveLength(1);
    // The transaction limit (an hour) does not hold back an error event.
    clock.advance(1_001);
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('a rate limit on a 2xx is honoured for the next item', async () => {
    await queueOne();
    await queueOne();
    ingest.fault({ status: 200, headers: { 'X-Sentry-Rate-Limits': '45::organization:quota' } });
    const result = await drain();
    expect(result).toMatchObject({ sent: 1, pending: 1, rateLimitedUntil: clock.now() + 45_000 });
    expect(ingest.requests).toHaveLength(1);
  });

  it('413: re-packs with fewer lines and the smaller bundle arrives, still verifiable', async () => {
    const { eventId, bundle } = await queueOne(400);
    ingest.fault({ status: 413 });
    const result = await drain();
    expect(result).toMatchObject({ sent: 1, pending: 0 });
    expect(result.results[0]).toMatchObject({ outcome: 'sent', repacks: 1 });
    expect(ingest.requests.map((r) => r.status)).toEqual([413, 200]);
    const [event] = ingest.events();
    expect(event!.event_id).toBe(eventId);
    expect((event!.contexts as Record<string, Record<string, unknown>>).bundle!.lines).toBe(200);
    // The attached zip is the re-packed one: fewer lines, and its manifest still matches its entries.
    const zipBytes = ingest.envelopes[0]!.items.find(([h]) => h.type === 'attachment')![1] as Uint8Array;
    const copy = path.join(dir, 'arrived.zip');
    await fsp.writeFile(copy, zipBytes);
    expect(zipBytes.length).toBeLessThan((await fsp.stat(bundle)).size);
    const { files } = await readZip(copy);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { files: Array<{ path: string; sha256: string }>; truncation: Record<string, unknown> };
    for (const f of manifest.files) expect(sha256(files.get(f.path)!)).toBe(f.sha256);
    expect(manifest.truncation).toMatchObject({ repacked: { maxLines: 200, droppedLines: 200 }, linesIncluded: 200 });
    expect(files.get('logs/tail.log')!.toString('utf8').trim().split('\n')[0]).toContain('line 201');
    // The user's own bundle file is untouched.
    expect((await readZip(bundle)).files.get('logs/tail.log')!.toString('utf8').trim().split('\n')).toHaveLength(400);
  });

  it('a local fault with one item (a re-pack that fails) does not hold back the others', async () => {
    const first = await queueOne(400);
    const second = await queueOne(20);
    ingest.fault({ status: 413 });
    const result = await drain({ repack: async () => Promise.reject(new Error('disk full')) });
    expect(result.results.map((r) => [r.eventId, r.outcome, r.status])).toEqual([
      [first.eventId, 'retry', 'ELOCAL'],
      [second.eventId, 'sent', 200],
    ]);
    expect(result.results[0]!.error).toContain('disk full');
    expect((await pendingItems(outboxDir)).map((i) => i.eventId)).toEqual([first.eventId]);
  });

  it('413 for a bundle the re-packer cannot read: moved to failed/ with the reason, not retried forever', async () => {
    const { eventId } = await queueOne(400);
    ingest.fault({ status: 413 });
    const unreadable = async () => Promise.reject(new DiagError('BUNDLE_INVALID', 'manifest.json is not a valid v1 manifest'));
    const result = await drain({ repack: unreadable });
    expect(result).toMatchObject({ sent: 0, failed: 1, pending: 0 });
    expect(result.results[0]).toMatchObject({ eventId, outcome: 'failed', error: expect.stringContaining('cannot re-pack it') });
    const store = new OutboxStore(outboxDir, clock);
    expect(await store.listFailed()).toEqual([expect.objectContaining({ eventId, failedReason: expect.stringContaining('not a valid v1 manifest') })]);
  });

  it('a request over the size limit is re-packed before it is sent', async () => {
    await queueOne(400);
    const result = await drain({ maxRequestBytes: 20_000 });
    expect(result).toMatchObject({ sent: 1 });
    expect(ingest.requests).toHaveLength(1);
    expect(ingest.requests[0]!.wireBytes).toBeLessThanOrEqual(20_000);
  });

  it('other 4xx: moved to failed/ with the status and reason, recorded, never silently dropped', async () => {
    const { itemId, eventId } = await queueOne();
    ingest.fault({ status: 400, body: 'bad' });
    const result = await drain();
    expect(result).toMatchObject({ sent: 0, failed: 1, pending: 0 });
    const failed = JSON.parse(await fsp.readFile(path.join(outboxDir, 'failed', `${itemId}.json`), 'utf8'));
    expect(failed).toMatchObject({ eventId, failedStatus: 400, failedReason: 'Sentry rejected the event: HTTP 400' });
    await fsp.access(path.join(outboxDir, 'failed', `${itemId}.zip`));
    const store = new OutboxStore(outboxDir, clock);
    expect(await store.evictions()).toEqual([expect.objectContaining({ itemId, action: 'moved-to-failed', reason: 'Sentry rejected the event: HTTP 400' })]);
  });

  it('connection refused: retried later, nothing lost', async () => {
    const { itemId } = await queueOne();
    const dead = await startLocalIngest();
    const deadDsn = dead.dsn;
    await dead.close();
    const result = await drain({ dsn: deadDsn });
    expect(result.results[0]).toMatchObject({ outcome: 'retry', status: 'ECONNREFUSED' });
    expect(await itemRecord(itemId)).toMatchObject({ attempts: 1, lastStatus: 'ECONNREFUSED' });
    clock.advance(10_000);
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('connection reset mid-body: retried, and the event arrives once', async () => {
    const { eventId } = await queueOne(400);
    ingest.fault({ reset: 'mid-body' });
    const result = await drain();
    expect(result.results[0]!.outcome).toBe('retry');
    expect(['ECONNRESET', 'EPIPE']).toContain(result.results[0]!.status);
    clock.advance(10_000);
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
    expect(ingest.events().map((e) => e.event_id)).toEqual([eventId]);
  });

  it('a server that hangs: the drain returns within its deadline and keeps the item', async () => {
    const { itemId } = await queueOne();
    ingest.fault({ hang: true });
    const draining = track(drainOutbox({ outboxDir, dsn: ingest.dsn, clock, deadlineMs: 400 }));
    await waitFor(() => ingest.received.length === 1, 'the request to hang', 10_000);
    await settle();
    expect(draining.settled).toBe(false); // the server, not the deadline, holds it so far
    clock.advance(400);
    const result = await settled(draining, 'the drain at its deadline');
    expect(result.results[0]).toMatchObject({ outcome: 'retry', status: 'ETIMEDOUT' });
    expect((await pendingItems(outboxDir)).map((i) => i.itemId)).toEqual([itemId]);
  });

  it('a 5xx ends the round: the next items are not sent to a failing server', async () => {
    await queueOne();
    await queueOne();
    await queueOne();
    ingest.fault({ status: 502 });
    const result = await drain();
    expect(result.results.map((r) => r.outcome)).toEqual(['retry', 'deferred', 'deferred']);
    // The others are reported due when the failed one is, so an uploader does not come back in a second.
    const retryAt = result.results[0]!.nextAttemptAt;
    expect(retryAt).toBeGreaterThan(clock.now() + 1_000);
    expect(result.results.map((r) => r.nextAttemptAt)).toEqual([retryAt, retryAt, retryAt]);
    expect(ingest.requests).toHaveLength(1);
    clock.advance(10_000);
    expect(await drain()).toMatchObject({ sent: 3, pending: 0 });
  });
});
