import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainOutbox, enqueueBundle, pendingItems } from '../../src/upload/index.js';
import type { LocalIngest } from '../../src/upload/local-ingest.js';
import { fingerprintIncident, parseIncident } from '../../src/incidents/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { CRASH_INCIDENT, makeTestBundle, sha256 } from './helpers.js';
import { useLocalIngest } from './local-ingest-setup.js';

let dir: string;
let ingest: LocalIngest;

useLocalIngest(Date.UTC(2026, 10, 20, 12, 0, 0), (setup) => ({ dir, ingest } = setup));

describe('one bundle becomes one readable Sentry event', () => {
  it('sends the event, tags, fingerprint, breadcrumbs and both attachments over real HTTP', async () => {
    const bundle = await makeTestBundle(dir, { lines: 150, lineBytes: 400 });
    const outboxDir = path.join(dir, 'outbox');
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const { eventId, itemId } = await enqueueBundle({ outboxDir, bundlePath: bundle, clock });
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    // Queued before any network I/O, owner-only.
    expect(ingest.requests).toHaveLength(0);
    const stat = await fsp.stat(path.join(outboxDir, `${itemId}.zip`));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fsp.stat(path.join(outboxDir, `${itemId}.json`))).mode & 0o777).toBe(0o600);

    const result = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(result).toMatchObject({ sent: 1, failed: 0, pending: 0, locked: false });
    expect(result.results[0]).toMatchObject({ outcome: 'sent', status: 200, eventId });
    expect(await pendingItems(outboxDir)).toHaveLength(0);

    expect(ingest.envelopes).toHaveLength(1);
    const envelope = ingest.envelopes[0]!;
    expect(envelope.contentType).toBe('application/x-sentry-envelope');
    expect(envelope.headers.event_id).toBe(eventId);
    const [event] = ingest.events();
    const parsed = parseIncident(CRASH_INCIDENT);
    if (!parsed.ok) throw new Error(parsed.error);
    const expected = fingerprintIncident(parsed.incident);
    expect(event).toMatchObject({
      event_id: eventId,
      level: 'fatal',
      message: 'Renderer crashed (oom) at /chat/:id',
      fingerprint: expected.components,
      tags: {
        'diag.kind': 'render-process-gone',
        'diag.reason': 'oom',
        'diag.exit_code': '11',
        'diag.fingerprint': expected.fingerprint,
        'app.version': '1.2.3',
        os: 'Linux 6.8.0',
      },
    });
    const bundleBytes = await fsp.readFile(bundle);
    const contexts = event!.contexts as Record<string, Record<string, unknown>>;
    expect(contexts.bundle).toMatchObject({ sha256: sha256(bundleBytes), bytes: bundleBytes.length, lines: 150 });
    expect(contexts.incident).toMatchObject({ kind: 'render-process-gone', reason: 'oom', url: 'app://codex/chat/8f3a2b1c9d?tab=2' });
    expect(contexts.startup).toMatchObject({ renderer_ready_latency_ms: 840 });

    // The last 100 lines, oldest first, as the story in Sentry's UI.
    const crumbs = event!.breadcrumbs as Array<Record<string, unknown>>;
    expect(crumbs).toHaveLength(100);
    expect(crumbs[0]).toMatchObject({ message: expect.stringMatching(/^line 51 /), category: 'app.log', level: 'info' });
    expect(crumbs[99]).toMatchObject({ message: expect.stringMatching(/^line 150 /), level: 'error' });
    expect(crumbs.find((c) => String(c.message).startsWith('line 55 '))).toMatchObject({ level: 'warning' });
    expect(crumbs[0]!.timestamp).toBe(Date.parse('2026-11-20T09:00:50.000Z') / 1000);

    const attachments = envelope.items.filter(([h]) => h.type === 'attachment');
    expect(attachments.map(([h]) => [h.filename, h.content_type])).toEqual([
      [path.basename(bundle), 'application/zip'],
      ['tail.log', 'text/plain'],
    ]);
    expect(sha256(attachments[0]![1] as Uint8Array)).toBe(sha256(bundleBytes));
    expect(Buffer.from(attachments[1]![1] as Uint8Array).toString('utf8').trim().split('\n')).toHaveLength(150);
    // Large bodies go gzipped, and the ingest decoded them.
    expect(envelope.contentEncoding).toBe('gzip');
  });

  it('maps a manual export (no incident) to an info event with a stable fingerprint', async () => {
    const bundle = await makeTestBundle(dir, { incident: null, lines: 3 });
    const outboxDir = path.join(dir, 'outbox');
    await enqueueBundle({ outboxDir, bundlePath: bundle });
    await drainOutbox({ outboxDir, dsn: ingest.dsn });
    const [event] = ingest.events();
    expect(event).toMatchObject({ level: 'info', fingerprint: ['codex-diag', 'manual-export'], tags: { 'diag.kind': 'manual' } });
    expect(event!.breadcrumbs).toHaveLength(3);
    expect(ingest.envelopes[0]!.contentEncoding).toBeNull();
  });

  it('refuses to queue a file that is not a bundle, and queues nothing', async () => {
    const notZip = path.join(dir, 'notes.zip');
    await fsp.writeFile(notZip, 'hello');
    const outboxDir = path.join(dir, 'outbox');
    await expect(enqueueBundle({ outboxDir, bundlePath: notZip })).rejects.toMatchObject({ code: 'BUNDLE_INVALID', exitCode: 2 });
    expect(await pendingItems(outboxDir)).toHaveLength(0);
  });

  it('names a malformed DSN', async () => {
    const outboxDir = path.join(dir, 'outbox');
    await expect(drainOutbox({ outboxDir, dsn: 'https://sentry.example.com/abc' })).rejects.toMatchObject({
      code: 'BAD_DSN',
      message: expect.stringContaining("'https://sentry.example.com/abc'"),
    });
  });
});
