/**
 * Release health through the outbox. The session update payload is Sentry's
 * (https://develop.sentry.dev/sdk/telemetry/sessions/): `init` on the first update Sentry sees,
 * terminal statuses exited/crashed/abnormal, `errors` at least 1 once crashed, `attrs.release`
 * required; every session item here is validated against that payload's constraints
 * (sentry-schemas.ts, SESSION_SCHEMA). Relay drops session updates older than 5 days
 * (relay-config `max_session_secs_in_past`); `session` is its rate-limit category.
 */
import { describe, expect, it } from 'vitest';
import { drainOutbox, enqueueBundle } from '../../src/upload/index.js';
import type { LocalIngest } from '../../src/upload/local-ingest.js';
import { SessionOutbox } from '../../src/upload/session-outbox.js';
import { sessionUpdate } from '../../src/upload/session-update.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle } from './helpers.js';
import { sessionSchemaProblems } from './sentry-schemas.js';
import { useLocalIngest } from './local-ingest-setup.js';
import { okSession } from './session-fixture.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
let dir: string;
let outboxDir: string;
let ingest: LocalIngest;
let clock: ManualClock;

useLocalIngest(NOW, (s) => ({ dir, outboxDir, ingest, clock } = s));

const RUN = okSession(NOW - 60_000);

function sessionItems(): Array<Record<string, any>> {
  return ingest.envelopes.flatMap((e) => e.items.filter(([h]) => h.type === 'session').map(([, payload]) => payload as Record<string, any>));
}

describe('session updates', () => {
  it('every status makes a payload that fits Sentry’s session schema', () => {
    for (const status of ['ok', 'exited', 'crashed', 'abnormal'] as const) {
      const update = sessionUpdate({ ...RUN, status }, status === 'ok', NOW);
      expect(sessionSchemaProblems(update as unknown as Record<string, unknown>), status).toEqual([]);
    }
    expect(sessionUpdate({ ...RUN, status: 'crashed' }, false, NOW)).toMatchObject({ errors: 1, duration: 60 });
    expect(sessionUpdate(RUN, true, NOW).duration).toBeUndefined();
    expect(sessionSchemaProblems({ started: 'x', attrs: {} })).not.toEqual([]);
  });

  it('pending updates of one session go as one: the latest state, marked `init` while the first is unsent', async () => {
    const outbox = new SessionOutbox(outboxDir);
    await outbox.put(sessionUpdate(RUN, true, NOW), NOW);
    // Queued in the same millisecond (a fake clock): the terminal update still wins.
    await outbox.put(sessionUpdate({ ...RUN, status: 'exited' }, false, NOW), NOW);
    const pending = await outbox.list();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.update).toMatchObject({ init: true, status: 'exited' });
    expect(pending[0]!.files).toHaveLength(2);
    // An update written after the list was taken is not removed with the ones that were sent.
    await outbox.put(sessionUpdate({ ...RUN, status: 'crashed' }, false, NOW + 1), NOW + 1);
    await outbox.remove(pending[0]!);
    expect((await outbox.list()).map((p) => p.update)).toEqual([expect.objectContaining({ status: 'crashed', init: false })]);
  });
});

describe('sessions through the outbox (real HTTP)', () => {
  it('sends a session envelope with no @sentry/* client, then removes it', async () => {
    await new SessionOutbox(outboxDir).put(sessionUpdate(RUN, true, NOW), NOW);
    const result = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(result.sessions).toMatchObject({ sent: 1, pending: 0 });
    const [session] = sessionItems();
    expect(session).toMatchObject({ sid: RUN.sid, did: RUN.did, init: true, status: 'ok', attrs: { release: 'Codex@1.2.3', environment: 'production' } });
    expect(sessionSchemaProblems(session!)).toEqual([]);
    expect(await new SessionOutbox(outboxDir).list()).toEqual([]);
  });

  it('a session rate limit holds sessions, not bundles; an error limit holds bundles, not sessions', async () => {
    const sessions = new SessionOutbox(outboxDir);
    await sessions.put(sessionUpdate(RUN, true, NOW), NOW);
    ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': '600:session:org:quota' } });
    const first = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(first.sessions).toMatchObject({ sent: 0, pending: 1, rateLimitedUntil: NOW + 600_000 });
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 3 }), clock });
    const second = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(second).toMatchObject({ sent: 1, sessions: { sent: 0, pending: 1 } });
    expect(ingest.requests).toHaveLength(2);

    clock.advance(600_000);
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 3 }), clock });
    ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': '600:error:org:quota' } });
    const third = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(third).toMatchObject({ sent: 0, pending: 1, sessions: { sent: 1, pending: 0 } });
    expect(sessionItems()).toHaveLength(1);
  });

  it('an update older than Sentry’s 5-day window is dropped, and said so', async () => {
    await new SessionOutbox(outboxDir).put(sessionUpdate(RUN, true, NOW), NOW);
    clock.advance(5 * 86_400_000 + 1);
    const warnings: string[] = [];
    const result = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, log: (level, message) => level === 'warn' && warnings.push(message) });
    expect(result.sessions).toMatchObject({ sent: 0, pending: 0, dropped: 1 });
    expect(warnings.join('\n')).toContain("older than Sentry's 5-day window");
    expect(ingest.requests).toHaveLength(0);
  });

  it('a server error keeps the update for the next drain', async () => {
    await new SessionOutbox(outboxDir).put(sessionUpdate(RUN, true, NOW), NOW);
    ingest.fault({ status: 503 });
    expect((await drainOutbox({ outboxDir, dsn: ingest.dsn, clock })).sessions).toMatchObject({ sent: 0, pending: 1 });
    expect((await drainOutbox({ outboxDir, dsn: ingest.dsn, clock })).sessions).toMatchObject({ sent: 1, pending: 0 });
    expect(sessionItems()[0]).toMatchObject({ init: true });
  });
});
