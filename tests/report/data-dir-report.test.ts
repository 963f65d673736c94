import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { NativeCrashLedger } from '../../src/minidump/native-crash-ledger.js';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { runCli } from '../../src/cli/program.js';
import { dataLayout } from '../../src/paths.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { artifact, launchChromium, openReport, type OpenedReport } from './browser.js';
import { buildStoryBundle } from './fixtures.js';
import { DeliveryBudget } from '../../src/upload/budget.js';

const START = Date.UTC(2026, 10, 30, 1, 0, 0);
const MINUTE = 60_000;
const SECRET = 'sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
const tmp = makeTempDir('codex-diag-report-dir-');
const dataDir = path.join(tmp.dir, 'data');
const layout = dataLayout(dataDir);
let browser: Browser;
let opened: OpenedReport;
let written: { path: string; bytes: number };

const crash = (chatId: string, at: number) => ({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: `app://codex/chat/${chatId}`, occurredAt: at });
const gpu = (at: number) => ({ kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, occurredAt: at });

/** A crash loop: one bundle per 10-minute window, the repeats in between suppressed (journal). */
const LOOP_BUNDLES = 5;
const LOOP_SUPPRESSED_PER_WINDOW = 3;
const bundleFiles: string[] = [];
let suppressed = 0;

function journalRecord(incident: Record<string, unknown>, bundled: boolean, suppressedSinceLast: number): string {
  const parsed = parseIncident(incident);
  if (!parsed.ok) throw new Error(parsed.error);
  const fp = fingerprintIncident(parsed.incident);
  return JSON.stringify({ occurredAt: new Date(incident.occurredAt as number).toISOString(), fingerprint: fp.fingerprint, components: fp.components, title: fp.title, incident, bundled, suppressedSinceLast });
}

function outboxRecord(dir: string, createdAt: number, eventId: string, extra: Record<string, unknown>): void {
  const itemId = `${String(createdAt).padStart(13, '0')}-${eventId}`;
  const record = { version: 1, itemId, eventId, createdAt, attempts: 3, nextAttemptAt: createdAt + 5 * MINUTE, lastStatus: 503, lastError: null, bytes: 4096, repacks: 0, source: '/x.zip', ...extra };
  writeFileSync(path.join(dir, `${itemId}.json`), JSON.stringify(record));
  writeFileSync(path.join(dir, `${itemId}.zip`), 'zip');
}

beforeAll(async () => {
  mkdirSync(layout.bundlesDir, { recursive: true });
  mkdirSync(layout.journalDir, { recursive: true });
  mkdirSync(path.join(layout.outboxDir, 'failed'), { recursive: true });
  const journal: string[] = [];
  for (let i = 0; i < LOOP_BUNDLES; i++) {
    const at = START + i * 10 * MINUTE;
    const built = await buildStoryBundle({ start: at - 70_000, outDir: layout.bundlesDir, incident: crash(`${1000 + i}`, at) });
    bundleFiles.push(path.basename(built.path));
    journal.push(journalRecord(crash(`${1000 + i}`, at), true, i === 0 ? 0 : LOOP_SUPPRESSED_PER_WINDOW));
    if (i < LOOP_BUNDLES - 1) {
      for (let j = 1; j <= LOOP_SUPPRESSED_PER_WINDOW; j++) {
        journal.push(journalRecord(crash(`${2000 + i * 10 + j}`, at + j * 2 * MINUTE), false, 0));
        suppressed += 1;
      }
    }
  }
  const gpuAt = START + 17 * MINUTE;
  const built = await buildStoryBundle({ start: gpuAt - 70_000, outDir: layout.bundlesDir, incident: gpu(gpuAt) });
  bundleFiles.push(path.basename(built.path));
  journal.push(journalRecord(gpu(gpuAt), true, 0));
  writeFileSync(path.join(layout.bundlesDir, 'codex-diag-20261130T020000-broken.zip'), 'not a zip at all');
  bundleFiles.push('codex-diag-20261130T020000-broken.zip');
  writeFileSync(path.join(layout.journalDir, 'incidents-000001.jsonl'), `${journal.join('\n')}\n{"torn`);

  outboxRecord(layout.outboxDir, START + MINUTE, 'a'.repeat(32), { lastError: `503 from <script>window.__pwned=1</script> with Bearer ${SECRET}` });
  outboxRecord(layout.outboxDir, START + 2 * MINUTE, 'b'.repeat(32), { attempts: 0, lastStatus: null });
  outboxRecord(path.join(layout.outboxDir, 'failed'), START, 'c'.repeat(32), { failedAt: START + 3 * MINUTE, failedStatus: 400, failedReason: 'HTTP 400: invalid envelope' });

  writeFileSync(
    layout.stateFile,
    JSON.stringify({
      version: 3,
      app_server: { restart_count: 4, last_restart_at: START, last_disconnect_reason: 'exit 101' },
      renderer: { recovery_attempts: 7, last_ready_at: START, last_heartbeat_at: null, last_recovery_at: START },
      startup: { app_started_at_ms: START, renderer_ready_latency_ms: 1300, history: [800, 950, 1300].map((ms, i) => ({ started_at_ms: START - (3 - i) * MINUTE, renderer_ready_latency_ms: ms })) },
      incidents: {},
    }),
  );

  // The delivery budget holds back the repeats of one fingerprint: two of three occurrences.
  const budget = await DeliveryBudget.open({ dataDir, clock: { now: () => START }, budget: { perFingerprintPerDay: 1, burst: 0 } });
  const held = { fingerprint: 'fp1-held0000000000', kind: 'render-process-gone', level: 'warning' as const };
  for (let i = 0; i < 3; i++) budget.admit(held);
  await budget.idle();

  // The crash dumps dir was tended: one dump bundled then deleted, three past the bounds.
  const ledger = new NativeCrashLedger(dataDir);
  await ledger.openRun(START);
  await ledger.markBundled('5d2f8e1a-3c4b-4d6e-8f90-a1b2c3d4e5f6');
  await ledger.countDeletions([
    { bytes: 400_000, reason: 'bundled' },
    { bytes: 300_000, reason: 'age' },
    { bytes: 200_000, reason: 'count' },
    { bytes: 100_000, reason: 'count' },
  ]);

  const io = cliIo({ cwd: tmp.dir });
  expect(await runCli(['report', '--data-dir', dataDir, '--json'], io)).toBe(0);
  written = JSON.parse(io.out()) as { path: string; bytes: number };
  browser = await launchChromium();
  opened = await openReport(browser, written.path);
});

afterAll(async () => {
  await browser?.close();
  tmp.cleanup();
});

describe('codex-diag report (no bundle): the data dir, in Chromium', () => {
  it('writes <data dir>/report.html, which requests nothing but itself and logs no error', async () => {
    expect(written.path).toBe(path.join(dataDir, 'report.html'));
    expect(written.bytes).toBe(readFileSync(written.path).length);
    await opened.page.screenshot({ path: artifact('data-dir-light.png'), fullPage: true });
    expect(opened.requests).toEqual([opened.url]);
    expect(opened.errors).toEqual([]);
  });

  it('lists every bundle, an unreadable one too', async () => {
    const { page } = opened;
    expect(await page.locator('table.bundles tbody tr').count()).toBe(bundleFiles.length);
    const text = (await page.locator('table.bundles').textContent())!;
    for (const file of bundleFiles) expect(text).toContain(file);
    expect(text).toContain('unreadable');
  });

  it('shows the crash loop as one dense row: every bundle and every suppressed repeat', async () => {
    const chart = opened.page.locator('#bundles svg.chart');
    expect(await chart.locator('.pt[data-kind="bundle"]').count()).toBe(LOOP_BUNDLES + 1);
    expect(await chart.locator('.pt[data-kind="suppressed"]').count()).toBe(suppressed);
    const labels = await chart.locator('.lane-label').allTextContents();
    expect(labels).toHaveLength(2);
    expect(labels[0]).toMatch(new RegExp(`^${LOOP_BUNDLES + suppressed}× Renderer crashed`));
  });

  it('shows the outbox with reasons and next attempts, redacted and inert', async () => {
    const { page } = opened;
    expect(await page.locator('table.outbox-pending tbody tr').count()).toBe(2);
    expect(await page.locator('table.outbox-failed tbody tr').count()).toBe(1);
    expect(await page.locator('table.outbox-failed').textContent()).toContain('HTTP 400: invalid envelope');
    expect(await page.locator('table.outbox-pending').textContent()).toContain('2026-11-30 01:06:00Z');
    expect(await page.locator('table.outbox-pending').textContent()).toContain('<script>window.__pwned=1</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(readFileSync(written.path, 'utf8')).not.toContain(SECRET);
  });

  it('shows what the delivery budget held back, per fingerprint and why', async () => {
    const rows = opened.page.locator('table.held-back tbody tr');
    expect(await rows.count()).toBe(1);
    const text = (await rows.first().textContent())!;
    expect(text).toContain('fp1-held0000000000');
    // Which rule held them (the per-fingerprint bucket or the per-install sampling) depends on the random install id.
    expect(text).toMatch(/(fingerprint-budget|sampled) [12]/);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('2');
  });

  it('shows the crash dumps deleted from the crash dumps dir, by reason', async () => {
    const table = opened.page.locator('table.crash-dumps');
    expect(await table.locator('caption').textContent()).toContain('4 deleted');
    expect(await table.locator('caption').textContent()).toContain('1 bundled');
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toEqual(['bundled1', 'age1', 'count2', 'bytes0']);
  });

  it('shows the state and its startup history', async () => {
    const { page } = opened;
    expect(await page.locator('#state').textContent()).toContain('app-server restarts4');
    expect(await page.locator('#startup svg.chart .pt[data-kind="launch"]').count()).toBe(3);
  });

  it('fails with exit 2 and one line for a data dir that does not exist', async () => {
    const io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', '--data-dir', path.join(tmp.dir, 'nope')], io)).toBe(2);
    expect(io.err()).toMatch(/^codex-diag: .*nope: no such data dir\n$/);
  });
});
