import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Event } from '@sentry/core';
import * as core from '@sentry/core';
import * as Sentry from '@sentry/node';
import { buildBundleUpload, drainOutbox, enqueueBundle, parseDsn, pendingItems, type BundleUpload } from '../../src/upload/index.js';
import { startLocalIngest } from '../../src/upload/local-ingest.js';
import { IsolatedSentryClient, loadSentry } from '../../src/upload/sentry-client.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle, sha256 } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const DSN = parseDsn('http://publickey@127.0.0.1:9/42');
const EVENT_ID = 'a'.repeat(32);

let dir: string;
let client: IsolatedSentryClient;

beforeEach(async () => {
  dir = await tempDir();
  client = new IsolatedSentryClient(await loadSentry(), DSN);
});
afterEach(async () => {
  await client.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

function parse(body: Uint8Array) {
  const [headers, items] = core.parseEnvelope(body);
  const event = items.find(([h]) => h.type === 'event')![1] as Event;
  const attachments = items.filter(([h]) => h.type === 'attachment');
  return { headers, items, event, attachments };
}

function handMadeUpload(event: Event, zip = new Uint8Array([0x50, 0x4b, 3, 4, 0, 10, 255])): BundleUpload {
  return {
    event,
    attachments: [
      { filename: 'b.zip', contentType: 'application/zip', data: zip },
      { filename: 'tail.log', contentType: 'text/plain', data: new TextEncoder().encode('a\nb\n') },
    ],
    bundle: { id: 'x', sha256: 'y', bytes: zip.length, lines: 2 },
  };
}

describe('the isolated @sentry/node client builds the envelope', () => {
  it('keeps the bundle event as mapped: id, fingerprint, tags, 100 breadcrumbs in order, deep contexts, both attachments', async () => {
    const bundle = await makeTestBundle(dir, { lines: 150 });
    const upload = await buildBundleUpload(bundle, { eventId: EVENT_ID });
    // A startup history nests four levels below `contexts`: the SDK's default depth (3) would flatten it.
    upload.event.contexts!.startup = { history: [{ started_at_ms: 1, renderer_ready_latency_ms: 840, detail: { deep: 'kept' } }] };

    const captured = await client.captureBundle(upload, 1_000_000);
    const { headers, items, event, attachments } = parse(captured.body);

    expect(headers.event_id).toBe(EVENT_ID);
    expect(items.map(([h]) => h.type)).toEqual(['event', 'attachment', 'attachment']);
    expect(event).toMatchObject({
      event_id: EVENT_ID,
      level: upload.event.level,
      message: upload.event.message,
      fingerprint: upload.event.fingerprint,
      tags: upload.event.tags,
      release: 'Codex@1.2.3',
      environment: 'production',
      platform: 'node',
    });
    // The client did its part: its SDK and package, plus this program's package; no host name.
    expect(event.sdk).toMatchObject({ name: 'sentry.javascript.node', version: core.SDK_VERSION });
    expect(event.sdk!.packages).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'npm:@sentry/node' }), expect.objectContaining({ name: 'npm:codex-diag' })]),
    );
    expect(event.server_name).toBeUndefined();
    // The app's runtime, from the bundle's system.json (this test bundle was made outside Electron), not the uploader's.
    expect(event.contexts!.runtime).toMatchObject({ name: 'Node', version: '20.20.0' });
    expect((event.contexts!.startup as { history: unknown[] }).history[0]).toEqual({
      started_at_ms: 1,
      renderer_ready_latency_ms: 840,
      detail: { deep: 'kept' },
    });
    expect(event.contexts!.bundle).toMatchObject({ sha256: upload.bundle.sha256, lines: 150 });

    const crumbs = event.breadcrumbs!;
    expect(crumbs).toHaveLength(100);
    expect(crumbs.map((c) => c.message)).toEqual(upload.event.breadcrumbs!.map((c) => c.message));
    expect(crumbs[0]!.message).toMatch(/^line 51\b/);

    expect(attachments.map(([h]) => [h.filename, h.content_type])).toEqual([
      [upload.attachments[0]!.filename, 'application/zip'],
      ['tail.log', 'text/plain'],
    ]);
    expect(sha256(attachments[0]![1] as Uint8Array)).toBe(sha256(await fsp.readFile(bundle)));

    // Addressed as the SDK addresses the DSN's project.
    expect(captured.url).toMatch(/^http:\/\/127\.0\.0\.1:9\/api\/42\/envelope\/\?/);
    expect(new URL(captured.url).searchParams.get('sentry_key')).toBe('publickey');
    expect(captured.headers['user-agent']).toBe(`sentry.javascript.node/${core.SDK_VERSION}`);
  });

  it('the same item captured twice (a retry) carries the same event_id', async () => {
    const upload = handMadeUpload({ event_id: EVENT_ID, message: 'x' });
    const first = parse((await client.captureBundle(upload, 1_000_000)).body);
    const second = parse((await client.captureBundle(upload, 1_000_000)).body);
    expect([first.headers.event_id, second.headers.event_id]).toEqual([EVENT_ID, EVENT_ID]);
    expect(Array.from(second.attachments[0]![1] as Uint8Array)).toEqual([0x50, 0x4b, 3, 4, 0, 10, 255]);
  });

  it('an event over the limit is fitted, the client’s own additions included, keeping the newest breadcrumbs', async () => {
    const event: Event = {
      event_id: EVENT_ID,
      message: 'Renderer crashed (oom) at /chat/:id',
      breadcrumbs: Array.from({ length: 100 }, (_, i) => ({ message: `crumb ${i} ${'x'.repeat(1_000)}` })),
    };
    // Just over the limit before the client adds its sdk, runtime and trace context.
    const limit = Buffer.byteLength(JSON.stringify({ ...event, breadcrumbs: event.breadcrumbs!.slice(50) })) + 100;
    const captured = await client.captureBundle(handMadeUpload(event), limit);
    const { event: sent, items } = parse(captured.body);
    const eventItemBytes = Buffer.byteLength(JSON.stringify(items[0]![1]));
    expect(eventItemBytes).toBeLessThanOrEqual(limit);
    expect(captured.eventBytes).toBe(eventItemBytes);
    expect(sent.breadcrumbs!.length).toBeGreaterThan(0);
    expect(sent.breadcrumbs!.length).toBeLessThan(50);
    expect(sent.breadcrumbs!.at(-1)!.message).toMatch(/^crumb 99 /);
    expect(captured.breadcrumbs).toBe(sent.breadcrumbs!.length);
  });

  it('a DSN the Sentry client refuses is a BAD_DSN error', async () => {
    const odd = { ...DSN, dsn: 'http://publickey@127.0.0.1:9/' };
    const listeners = process.listenerCount('beforeExit');
    expect(() => new IsolatedSentryClient({ node: Sentry, core }, odd)).toThrow(expect.objectContaining({ code: 'BAD_DSN' }));
    expect(process.listenerCount('beforeExit')).toBe(listeners);
  });
});

describe('the isolated client leaves the process’s Sentry alone', () => {
  afterEach(() => {
    // Undo what a test set as the "host" (scopes have no clear() in this SDK version).
    for (const scope of [Sentry.getGlobalScope(), Sentry.getIsolationScope()]) {
      scope.setTags({ 'host.global': undefined, 'host.isolation': undefined }).setUser(null).clearBreadcrumbs().clearAttachments();
    }
  });

  it('sets no global client, no last event id, no lasting process listener', async () => {
    await client.close();
    const listeners = process.listenerCount('beforeExit');
    client = new IsolatedSentryClient(await loadSentry(), DSN);
    await client.captureBundle(handMadeUpload({ event_id: EVENT_ID, message: 'x' }), 1_000_000);
    expect(Sentry.getClient()).toBeUndefined();
    expect(Sentry.getGlobalScope().getClient()).toBeUndefined();
    expect(Sentry.getIsolationScope().getClient()).toBeUndefined();
    expect(Sentry.lastEventId()).toBeUndefined();
    expect(Sentry.isInitialized()).toBe(false);
    await client.close();
    expect(process.listenerCount('beforeExit')).toBe(listeners);
  });

  it('takes nothing from the process’s scopes: a host’s breadcrumbs, tags, user and attachments stay out of the event', async () => {
    Sentry.getGlobalScope().setTag('host.global', 'yes').setUser({ email: 'someone@example.com' }).addAttachment({ filename: 'host.txt', data: 'host' });
    Sentry.getGlobalScope().addBreadcrumb({ message: 'host global crumb' });
    Sentry.getIsolationScope().setTag('host.isolation', 'yes').addBreadcrumb({ message: 'host isolation crumb' });
    const upload = handMadeUpload({
      event_id: EVENT_ID,
      message: 'x',
      tags: { 'diag.kind': 'manual' },
      breadcrumbs: [{ message: 'ours' }],
      contexts: { bundle: { id: 'x' } },
    });
    const { event, attachments } = parse((await client.captureBundle(upload, 1_000_000)).body);
    expect(event.tags).toEqual({ 'diag.kind': 'manual' });
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs!.map((b) => b.message)).toEqual(['ours']);
    expect(Object.keys(event.contexts!).sort()).toEqual(['bundle', 'runtime', 'trace']);
    expect(attachments.map(([h]) => h.filename)).toEqual(['b.zip', 'tail.log']);
    // and the host's scopes are as the host left them
    expect(Sentry.getIsolationScope().getScopeData().breadcrumbs.map((b) => b.message)).toEqual(['host isolation crumb']);
    expect(Sentry.getIsolationScope().lastEventId()).toBeUndefined();
  });
});

describe('an event the SDK drops is never lost', () => {
  it('a host’s global event processor that drops everything: the item stays queued, reported as a local fault', async () => {
    let dropping = true;
    let processed = 0;
    Sentry.getGlobalScope().addEventProcessor((event) => {
      processed++;
      return dropping ? null : event;
    });
    const ingest = await startLocalIngest();
    try {
      await expect(client.captureBundle(handMadeUpload({ event_id: EVENT_ID, message: 'x' }), 1_000_000)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('produced no envelope'),
      });
      const outboxDir = path.join(dir, 'outbox');
      const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
      const { eventId } = await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }), clock });
      const dropped = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, random: () => 0 });
      // The normal backoff (base 5 s, jitter 0 -> 2.5 s), persisted, and reported for the uploader's timer.
      expect(dropped.results[0]).toMatchObject({ eventId, outcome: 'retry', status: 'ELOCAL', nextAttemptAt: clock.now() + 2_500 });
      expect(await pendingItems(outboxDir)).toMatchObject([{ eventId, attempts: 1, nextAttemptAt: clock.now() + 2_500, lastStatus: 'ELOCAL' }]);
      expect(ingest.requests).toHaveLength(0);
      // Not tried again by every drain: only once its backoff has passed.
      processed = 0;
      expect((await drainOutbox({ outboxDir, dsn: ingest.dsn, clock })).results[0]).toMatchObject({ outcome: 'deferred' });
      expect(processed).toBe(0);
      clock.advance(2_500);
      expect((await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, random: () => 0 })).results[0]).toMatchObject({ outcome: 'retry', status: 'ELOCAL' });
      expect(processed).toBe(1);
      expect((await pendingItems(outboxDir))[0]).toMatchObject({ attempts: 2, nextAttemptAt: clock.now() + 5_000 });

      dropping = false;
      const sent = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, force: true });
      expect(sent).toMatchObject({ sent: 1, pending: 0 });
      expect(ingest.envelopes[0]!.headers.event_id).toBe(eventId);
    } finally {
      dropping = false;
      await ingest.close();
    }
  });
});
