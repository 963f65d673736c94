import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { enqueueBundle, pendingItems } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { makeTestBundle } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: string;
let dataDir: string;
let outboxDir: string;
let ingest: LocalIngest;

const io = (env: NodeJS.ProcessEnv = {}) => cliIo({ env, cwd: dir, homedir: dir, stdin: '' });

beforeEach(async () => {
  dir = await tempDir();
  dataDir = path.join(dir, 'data');
  outboxDir = path.join(dataDir, 'outbox');
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

async function queue(n: number) {
  for (let i = 0; i < n; i++) await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 10 }) });
}

/** `upload --json` says what the delivery budget holds back; a fresh data dir holds nothing back. */
const NOTHING_HELD_BACK = { total: 0, byReason: {}, fingerprints: [] };

describe('codex-diag upload', () => {
  it('sends everything and prints {sent, failed, pending}; exit 0', async () => {
    await queue(2);
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toEqual({ sent: 2, failed: 0, pending: 0, heldBack: NOTHING_HELD_BACK });
    expect(t.err()).toMatch(/1\/2 sent [0-9a-f]{32} \(200\)\n2\/2 sent/);
    expect(ingest.events()).toHaveLength(2);
  });

  it('takes the DSN from CODEX_DIAG_DSN before SENTRY_DSN', async () => {
    await queue(1);
    const t = io({ CODEX_DIAG_DSN: ingest.dsn, SENTRY_DSN: 'not a dsn' });
    expect(await runCli(['upload', '--data-dir', dataDir, '-q'], t)).toBe(0);
    expect(ingest.events()).toHaveLength(1);
    expect(t.err()).toBe('');
  });

  it('server down: exit 4, the bundle stays queued, the user is told why', async () => {
    await queue(1);
    ingest.fault({ status: 503 });
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(4);
    expect(JSON.parse(t.out())).toEqual({ sent: 0, failed: 0, pending: 1, heldBack: NOTHING_HELD_BACK });
    expect(t.err()).toContain('HTTP 503; the bundles stay queued');
    expect(await pendingItems(outboxDir)).toHaveLength(1);
  });

  it('while rate limited: sends nothing, exit 4, says until when', async () => {
    await queue(2);
    ingest.fault({ status: 429, headers: { 'Retry-After': '3600' } });
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn], t)).toBe(4);
    expect(ingest.requests).toHaveLength(1);
    expect(t.err()).toMatch(/rate limit\) until \d{4}-\d\d-\d\dT/);
    expect(t.err()).toContain('sent 0, failed 0, pending 2');
    // A second run does not even try.
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn], io())).toBe(4);
    expect(ingest.requests).toHaveLength(1);
  });

  it('a rejected item goes to failed/: reported, exit 0 since nothing is left pending', async () => {
    await queue(1);
    ingest.fault({ status: 403 });
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toEqual({ sent: 0, failed: 1, pending: 0, heldBack: NOTHING_HELD_BACK });
    expect(t.err()).toContain('Sentry rejected the event: HTTP 403');
    expect((await fsp.readdir(path.join(outboxDir, 'failed'))).filter((n) => n.endsWith('.zip'))).toHaveLength(1);
  });

  it('a damaged record and a damaged zip: one clear line each, the other items still go out', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 10 }) })).itemId);
    const [tornRecord, badFields, badZip] = ids as [string, string, string, string];
    await fsp.writeFile(path.join(outboxDir, `${tornRecord}.json`), '{"version":1,"itemId":');
    const record = JSON.parse(await fsp.readFile(path.join(outboxDir, `${badFields}.json`), 'utf8')) as Record<string, unknown>;
    await fsp.writeFile(path.join(outboxDir, `${badFields}.json`), JSON.stringify({ ...record, attempts: 'x' }));
    await fsp.writeFile(path.join(outboxDir, `${badZip}.zip`), 'not a zip');
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toStrictEqual({ sent: 3, failed: 1, pending: 0, heldBack: NOTHING_HELD_BACK });
    const lines = t.err().trim().split('\n');
    for (const id of [tornRecord, badFields]) {
      expect(lines.filter((l) => l.includes(`${id}.json`))).toEqual([expect.stringMatching(/was unreadable .*rebuilt from its file name/)]);
    }
    expect(lines.filter((l) => l.startsWith(`failed: ${badZip}`))).toEqual([expect.stringContaining('not a readable zip archive')]);
    // The damaged records' bundles arrive under the event ids they were queued with.
    const eventIds = ingest.events().map((e) => e.event_id);
    expect(eventIds).toEqual(expect.arrayContaining([tornRecord.slice(14), badFields.slice(14), ids[3]!.slice(14)]));
    expect(await fsp.readdir(path.join(outboxDir, 'failed'))).toContain(`${badZip}.zip`);
  });

  it('an outbox it cannot lock: exit 1 with one line naming the lock file, nothing removed', async () => {
    await queue(1);
    await fsp.mkdir(path.join(outboxDir, '.drain.lock'));
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(1);
    expect(t.out()).toBe('');
    expect(t.err()).toMatch(new RegExp(`^codex-diag: cannot read the drain lock ${outboxDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.drain\\.lock: EISDIR[^\n]*\n$`));
    expect(await pendingItems(outboxDir)).toHaveLength(1);
  });

  it('no DSN: nothing sent, the user told bundles stay local; exit 4 with items pending, 0 without', async () => {
    await queue(1);
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--json'], t)).toBe(4);
    expect(JSON.parse(t.out())).toEqual({ sent: 0, failed: 0, pending: 1, heldBack: NOTHING_HELD_BACK });
    expect(t.err()).toContain('no Sentry DSN configured');
    expect(t.err()).toContain('1 bundle(s) stay local');
    expect(await runCli(['upload', '--data-dir', path.join(dir, 'empty')], io())).toBe(0);
  });

  it('a malformed DSN: exit 2, one line naming it, nothing touched', async () => {
    await queue(1);
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', 'sentry.example.com/1'], t)).toBe(2);
    expect(t.err()).toBe("codex-diag: --dsn: invalid Sentry DSN 'sentry.example.com/1': not a URL (expected https://<key>@<host>/<project id>)\n");
    expect(await pendingItems(outboxDir)).toHaveLength(1);
  });

  it('documents the exit codes in --help', async () => {
    const t = io();
    expect(await runCli(['upload', '--help'], t)).toBe(0);
    expect(t.out()).toContain('4 items remain pending');
    expect(t.out()).toContain('bundles stay local');
  });
});

describe('upload says what the delivery budget holds back, and why', () => {
  it('--json carries heldBack (total, by reason, per fingerprint); the text output says it in one line', async () => {
    const { DeliveryBudget } = await import('../../src/upload/budget.js');
    let now = Date.UTC(2026, 10, 20, 12, 0, 0);
    const budget = await DeliveryBudget.open({ dataDir, clock: { now: () => now } });
    const crash = { fingerprint: 'fp1:render-process-gone:crashed:/chat/:id', kind: 'render-process-gone', level: 'fatal' as const };
    for (let i = 0; i < 4; i++) {
      budget.admit(crash);
      now += 60_000;
    }
    await budget.idle();
    const t = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn, '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({
      sent: 0,
      failed: 0,
      pending: 0,
      heldBack: { total: 3, byReason: { 'fingerprint-budget': 3 }, fingerprints: [{ fingerprint: crash.fingerprint, total: 3 }] },
    });
    const text = io();
    expect(await runCli(['upload', '--data-dir', dataDir, '--dsn', ingest.dsn], text)).toBe(0);
    expect(text.err()).toMatch(/^held back by the delivery budget: 3 occurrence\(s\) of 1 fingerprint\(s\) \(fingerprint-budget 3\)/m);
  });
});
