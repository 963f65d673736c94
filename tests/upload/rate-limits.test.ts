/**
 * Rate limits as Sentry's SDK spec defines them:
 * https://develop.sentry.dev/sdk/expected-features/rate-limiting/ (getsentry/sentry-docs,
 * develop-docs/sdk/expected-features/rate-limiting.mdx): `X-Sentry-Rate-Limits:
 * retry_after:categories:scope:reason_code:namespaces`, on any response; retry_after in seconds,
 * integer or float; empty categories = all; unknown categories ignored, a limit whose categories
 * are all unknown ignored; the longest limit per category kept; tracked per DSN; Retry-After only
 * on a 429 without that header; a bare 429 is 60 s. Category names are Relay's
 * (relay-base-schema/src/data_category.rs: error, default, attachment, attachment_item, session, ...).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { drainOutbox, enqueueBundle, parseDsn, pendingItems, type DrainOptions } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { rateLimitKey } from '../../src/upload/rate-limit-file.js';
import { ABSURD_RATE_LIMIT_MS, blockedUntil, limitsFromResponse, RATE_LIMIT_CAP_MS, sanitizeStoredLimits } from '../../src/upload/rate-limits.js';
import { cliIo } from '../helpers/cli-io.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle } from './helpers.js';
import { useLocalIngest } from './local-ingest-setup.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;

describe('reading the headers (spec, stage 1 and 2)', () => {
  const read = (status: number, headers: Record<string, string>) => {
    const warnings: Array<[string, boolean]> = [];
    const limits = limitsFromResponse({ status, headers }, NOW, (m, f) => warnings.push([m, f]));
    return { limits, warnings };
  };

  it('the spec example: categories this client sends are kept, transaction (never sent here) is not', () => {
    const { limits } = read(429, { 'retry-after': '2700', 'x-sentry-rate-limits': '60:transaction:key, 2700:default;error;security:organization' });
    expect(limits).toEqual({ default: NOW + 2_700_000, error: NOW + 2_700_000 });
  });

  it('empty categories apply to all; the longer of two limits wins; spaces are ignored', () => {
    expect(read(429, { 'x-sentry-rate-limits': '60::organization, 2700::organization' }).limits).toEqual({ all: NOW + 2_700_000 });
    expect(read(200, { 'x-sentry-rate-limits': ' 10 : error ; session : key ' }).limits).toEqual({ error: NOW + 10_000, session: NOW + 10_000 });
  });

  it('floating-point seconds, reason codes and further dimensions are read or ignored as the spec says', () => {
    const { limits } = read(429, { 'x-sentry-rate-limits': '1.5:attachment;attachment_item:project:quota_exceeded:custom:whatever' });
    expect(limits).toEqual({ attachment: NOW + 1_500, attachment_item: NOW + 1_500 });
  });

  it('a limit whose categories are all unknown or not sent here is ignored as a whole, not applied to all', () => {
    expect(read(429, { 'retry-after': '3600', 'x-sentry-rate-limits': '3600:transaction;profile_chunk:key, 3600:some_future_thing:org' }).limits).toEqual({});
  });

  it('Retry-After (seconds or an HTTP date) only on a 429 without X-Sentry-Rate-Limits; a bare 429 is a minute', () => {
    expect(read(429, { 'retry-after': '120' }).limits).toEqual({ all: NOW + 120_000 });
    expect(read(429, { 'retry-after': new Date(NOW + 90_000).toUTCString() }).limits).toEqual({ all: NOW + 90_000 });
    expect(read(429, {}).limits).toEqual({ all: NOW + 60_000 });
    expect(read(503, { 'retry-after': '120' }).limits).toEqual({});
    expect(read(200, {}).limits).toEqual({});
  });

  it('a long limit is capped at 24 h; a nonsense one is ignored with a warning that counts as a fault', () => {
    const month = read(429, { 'retry-after': String(30 * 24 * 3600) });
    expect(month.limits).toEqual({ all: NOW + RATE_LIMIT_CAP_MS });
    expect(month.warnings).toEqual([[expect.stringContaining('capped at 24 h'), false]]);
    for (const value of ['99999999999999999999:error:org', 'NaN:error:org', '-5:error:org', 'Infinity::org', `${ABSURD_RATE_LIMIT_MS / 1000 + 1}:error:org`]) {
      const absurd = read(429, { 'x-sentry-rate-limits': value });
      expect(absurd.limits, value).toEqual({});
      expect(absurd.warnings, value).toEqual([[expect.stringContaining('ignored'), true]]);
    }
    expect(read(429, { 'retry-after': 'soon' }).warnings).toEqual([[expect.stringContaining('ignored'), true]]);
  });

  it('stored limits are read back capped; non-finite or absurd ones ignored with a warning', () => {
    const warnings: Array<[string, boolean]> = [];
    const limits = sanitizeStoredLimits({ error: 1e23, all: 'x', session: NOW + 30 * 24 * HOUR, attachment: NOW + HOUR, old: NOW - 1 }, NOW, (m, f) => warnings.push([m, f]));
    expect(limits).toEqual({ session: NOW + RATE_LIMIT_CAP_MS, attachment: NOW + HOUR });
    expect(warnings.filter(([, fault]) => fault)).toHaveLength(2);
  });

  it('blockedUntil: only the categories asked about, and all', () => {
    expect(blockedUntil({ session: NOW + HOUR }, ['error', 'attachment'], NOW)).toBe(0);
    expect(blockedUntil({ session: NOW + HOUR, all: NOW + 5 }, ['error'], NOW)).toBe(NOW + 5);
    expect(blockedUntil({ attachment_item: NOW + HOUR }, ['error', 'attachment_item'], NOW)).toBe(NOW + HOUR);
  });
});

describe('the outbox under rate limits (real HTTP to a local ingest)', () => {
  let dir: string;
  let outboxDir: string;
  let ingest: LocalIngest;
  let clock: ManualClock;

  useLocalIngest(NOW, (s) => ({ dir, outboxDir, ingest, clock } = s));

  const drain = (extra: Partial<DrainOptions> = {}) => drainOutbox({ outboxDir, dsn: ingest.dsn, clock, random: () => 0.5, ...extra });
  async function queueOne() {
    const queued = await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 20 }), clock });
    clock.advance(1);
    return queued;
  }

  it('a 429 naming only categories that do not apply (transaction) is an ordinary retry, not an hour of waiting', async () => {
    const { itemId } = await queueOne();
    ingest.fault({ status: 429, headers: { 'Retry-After': '3600', 'X-Sentry-Rate-Limits': '3600:transaction:key:quota' } });
    const first = await drain();
    // Backoff attempt 1: base 5 s, equal jitter with 0.5 -> 3.75 s; no rate limit recorded.
    expect(first.results[0]).toMatchObject({ itemId, outcome: 'retry', status: 429, nextAttemptAt: clock.now() + 3750 });
    expect(first.rateLimitedUntil).toBeNull();
    clock.advance(3750);
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('a 429 naming only unknown categories is ignored the same way', async () => {
    await queueOne();
    ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': '3600:quantum_foam;tachyons:org:quota' } });
    expect((await drain()).results[0]).toMatchObject({ outcome: 'retry', nextAttemptAt: clock.now() + 3750 });
    clock.advance(3750);
    expect(await drain()).toMatchObject({ sent: 1 });
  });

  for (const category of ['attachment', 'attachment_item']) {
    it(`a 429 naming only ${category}: the event was kept, so the bundle stays local with why, never resent`, async () => {
      const { itemId, eventId } = await queueOne();
      ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': `600:${category}:organization:quota` } });
      const first = await drain();
      expect(first.results[0]).toMatchObject({ itemId, outcome: 'sent', status: 429, attachmentsDropped: expect.stringContaining('dropped its attachments') });
      expect(first).toMatchObject({ sent: 1, pending: 0 });
      const failed = JSON.parse(await fsp.readFile(path.join(outboxDir, 'failed', `${itemId}.json`), 'utf8'));
      expect(failed).toMatchObject({ eventId, failedStatus: 429, failedReason: expect.stringContaining('not resent') });
      await fsp.access(path.join(outboxDir, 'failed', `${itemId}.zip`));
      clock.advance(24 * HOUR);
      await drain({ force: true });
      expect(ingest.requests).toHaveLength(1);
    });
  }

  it('an attachment limit in force is never sent into: the bundle waits for it', async () => {
    await queueOne();
    await queueOne();
    // Announced on a 2xx (the spec: treat it like one on a 429): the second bundle carries attachments.
    ingest.fault({ status: 200, headers: { 'X-Sentry-Rate-Limits': '120:attachment:org:quota' } });
    const result = await drain({ force: true });
    expect(result).toMatchObject({ sent: 1, pending: 1, rateLimitedUntil: clock.now() + 120_000 });
    expect(result.results[1]).toMatchObject({ outcome: 'deferred', nextAttemptAt: clock.now() + 120_000 });
    expect(ingest.requests).toHaveLength(1);
    // A session limit says nothing about bundles.
    clock.advance(120_000);
    ingest.fault({ status: 200, headers: { 'X-Sentry-Rate-Limits': '3600:session:org:quota' } });
    expect(await drain()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('limits are kept per DSN: a limit from one project does not hold back another from the same outbox', async () => {
    const other = await startLocalIngest();
    try {
      await queueOne();
      ingest.fault({ status: 429, headers: { 'X-Sentry-Rate-Limits': '600:error:project:quota' } });
      await drain();
      expect((await drain({ force: true })).results[0]).toMatchObject({ outcome: 'deferred' });
      expect(await drainOutbox({ outboxDir, dsn: other.dsn, clock, force: true })).toMatchObject({ sent: 1, pending: 0 });
      const file = JSON.parse(await fsp.readFile(path.join(outboxDir, 'rate-limits.json'), 'utf8'));
      expect(Object.keys(file.byDsn)).toEqual([rateLimitKey(parseDsn(ingest.dsn))]);
    } finally {
      await other.close();
    }
  });

  it('a limit stored by the earlier flat format still holds, capped', async () => {
    await queueOne();
    await fsp.writeFile(path.join(outboxDir, 'rate-limits.json'), JSON.stringify({ error: NOW + 30 * 24 * HOUR }));
    const result = await drain({ force: true });
    expect(result.rateLimitedUntil).toBe(clock.now() + RATE_LIMIT_CAP_MS);
    expect(ingest.requests).toHaveLength(0);
  });

  it('a stored 1e23 is ignored with a warning and a fault, and no longer breaks `codex-diag upload`', async () => {
    const dataDir = path.join(dir, 'data');
    outboxDir = path.join(dataDir, 'outbox');
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }) });
    await fsp.writeFile(path.join(outboxDir, 'rate-limits.json'), JSON.stringify({ error: 1e23 }));
    const faults: string[] = [];
    const probe = await drainOutbox({ outboxDir, dsn: ingest.dsn, onFault: (m) => faults.push(m), deadlineMs: 0 });
    expect(probe.rateLimitedUntil).toBeNull();
    expect(faults).toEqual([expect.stringContaining('1e+23')]);

    await fsp.writeFile(path.join(outboxDir, 'rate-limits.json'), JSON.stringify({ version: 2, byDsn: { [rateLimitKey(parseDsn(ingest.dsn))]: { error: 1e23 } } }));
    const t = cliIo({ env: {}, cwd: dir, homedir: dir, stdin: '' });
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ sent: 1, failed: 0, pending: 0 });
    expect(t.err()).toContain("stored rate limit for 'error' ignored");
    expect(t.err()).not.toContain('internal error');
  });

  it('`codex-diag upload --ignore-rate-limits` sends despite a stored limit (without it: exit 4, nothing sent)', async () => {
    const dataDir = path.join(dir, 'data');
    outboxDir = path.join(dataDir, 'outbox');
    await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 5 }) });
    ingest.fault({ status: 429, headers: { 'Retry-After': '3600' } });
    const io = () => cliIo({ env: {}, cwd: dir, homedir: dir, stdin: '' });
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn], io())).toBe(4);
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn], io())).toBe(4);
    expect(ingest.requests).toHaveLength(1);
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--ignore-rate-limits', '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ sent: 1, failed: 0, pending: 0 });
    expect(ingest.events()).toHaveLength(1);
    expect(await pendingItems(outboxDir)).toHaveLength(0);
  });
});
