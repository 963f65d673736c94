import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAIN_LOCK_NAME, enqueueBundle, pendingItems, uploadBundle } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { makeTestBundle } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { settle, settled, track } from '../helpers/settle.js';
import { waitFor } from '../helpers/wait-for.js';

let dir: string;
let outboxDir: string;
let ingest: LocalIngest;

beforeEach(async () => {
  dir = await tempDir();
  outboxDir = path.join(dir, 'outbox');
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('uploadBundle (export --upload): queue, then one bounded attempt', () => {
  it('sends this bundle first, even behind older queued items', async () => {
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }) });
    const bundlePath = await makeTestBundle(dir, { lines: 5 });
    const result = await uploadBundle({ outboxDir, bundlePath, dsn: ingest.dsn });
    expect(result).toMatchObject({ sent: true, pending: 0 });
    expect(ingest.events()[0]!.event_id).toBe(result.eventId);
  });

  it('not sent means queued: the result says why', async () => {
    ingest.fault({ status: 503 });
    const result = await uploadBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }), dsn: ingest.dsn });
    expect(result).toMatchObject({ sent: false, pending: 1, reason: 'HTTP 503' });
    expect((await pendingItems(outboxDir)).map((i) => i.eventId)).toEqual([result.eventId]);
  });

  it('a local fault in the attempt still means queued, with the reason (never an error after queueing)', async () => {
    // A directory where the drain lock should be: the drain cannot even start.
    await fsp.mkdir(path.join(outboxDir, DRAIN_LOCK_NAME), { recursive: true });
    const result = await uploadBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }), dsn: ingest.dsn });
    expect(result).toMatchObject({ sent: false, pending: 1, reason: expect.stringMatching(/^the upload failed locally \(.*EISDIR.*\)$/) });
    expect((await pendingItems(outboxDir)).map((i) => i.eventId)).toEqual([result.eventId]);
    expect(ingest.requests).toHaveLength(0);
  });

  it('a hanging server costs no more than the budget', async () => {
    ingest.fault({ hang: true });
    const clock = new ManualClock();
    const bundlePath = await makeTestBundle(dir, { lines: 5 });
    const upload = track(uploadBundle({ outboxDir, bundlePath, dsn: ingest.dsn, deadlineMs: 300, clock }));
    await waitFor(() => ingest.received.length === 1, 'the request to hang', 10_000);
    await settle();
    expect(upload.settled).toBe(false); // the server, not the budget, holds it so far
    clock.advance(300);
    expect(await settled(upload, 'the upload at its deadline')).toMatchObject({ sent: false, pending: 1 });
  });

  it('without a DSN the bundle is queued and stays local; a bad DSN queues nothing', async () => {
    const bundlePath = await makeTestBundle(dir, { lines: 5 });
    expect(await uploadBundle({ outboxDir, bundlePath })).toMatchObject({ sent: false, pending: 1, reason: 'no Sentry DSN configured' });
    await expect(uploadBundle({ outboxDir, bundlePath, dsn: 'nope' })).rejects.toMatchObject({ code: 'BAD_DSN' });
    expect(await pendingItems(outboxDir)).toHaveLength(1);
  });
});
