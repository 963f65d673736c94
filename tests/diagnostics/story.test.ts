import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readZip } from '../../src/bundle/zip-reader.js';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import type { BundleEvent, IncidentEvent } from '../../src/diagnostics/index.js';
import { attachToApp, attachToWindow } from '../../src/electron/index.js';
import { LAGGED_CHANNEL } from '../../src/runtime/delivery-classify.js';
import { APP_EVENTS, asApp, asWindow, FakeApp, FakeWebContents, FakeWindow, WEB_CONTENTS_EVENTS } from '../electron/fakes.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-story-').dir;
});
afterEach(() => removeDir(root));

function logDirWithLines(): string {
  const logDir = path.join(root, 'logs');
  mkdirSync(logDir, { recursive: true });
  const lines = Array.from({ length: 50 }, (_, i) => `2026-11-21T08:59:${String(i).padStart(2, '0')}.000Z info line ${i} Authorization: Bearer abcdefghijklmnop${i}`);
  writeFileSync(path.join(logDir, 'main.log'), `${lines.join('\n')}\n`);
  return logDir;
}

async function story() {
  const clock = new ManualClock();
  const diag = await createDiagnostics({
    logDir: logDirWithLines(),
    dataDir: path.join(root, 'data'),
    app: { name: 'Codex', version: '26.1.0' },
    log: false,
    env: {},
    clock,
    bundle: { lines: 20 },
    delivery: { capacity: 2 },
    recovery: { maxReloads: 3, baseDelayMs: 500, maxDelayMs: 30_000, stableMs: 20_000 },
  });
  const incidents: IncidentEvent[] = [];
  const bundles: BundleEvent[] = [];
  diag.on('incident', (i) => incidents.push(i));
  diag.on('bundle', (b) => bundles.push(b));
  const wc = new FakeWebContents(42);
  const win = new FakeWindow(1, wc);
  const app = new FakeApp();
  const detachWin = attachToWindow(diag, asWindow(win));
  const detachApp = attachToApp(diag, asApp(app));
  return { clock, diag, incidents, bundles, wc, win, app, detachWin, detachApp };
}

describe('createDiagnostics with a stand-in window, the whole story', () => {
  it('gates messages, records a crash into a bundle, reloads with backoff up to the bound, ignores clean exits and -3, counts malformed payloads, detaches cleanly', async () => {
    const { clock, diag, incidents, bundles, wc, app, detachWin, detachApp } = await story();

    // Ready gating: nothing reaches the renderer before it says it is ready.
    diag.recordAppStarted();
    expect(diag.send(42, 'codex-diag:progress', { pct: 1 })).toBe('queued');
    expect(diag.send(42, 'codex-diag:progress', { pct: 2 })).toBe('queued');
    expect(diag.send(42, 'codex-diag:progress', { pct: 3 })).toBe('dropped');
    expect(diag.send(42, 'codex-diag:bundle', { id: 'b1' })).toBe('queued');
    expect(wc.sent).toEqual([]);
    clock.advance(1_250);
    expect(diag.markRendererReady(42)).toBe(1_250);
    expect(wc.sent.map(([c]) => c)).toEqual(['codex-diag:progress', 'codex-diag:progress', LAGGED_CHANNEL, 'codex-diag:bundle']);

    // A crash: an incident with the URL of the moment, one bundle on disk, a reload after 500 ms.
    wc.fire('did-navigate', 'app://codex/chat/8f3a?tab=2', 200, 'OK');
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    await waitFor(() => bundles.length === 1);
    expect(incidents[0]).toMatchObject({ bundled: true, incident: { kind: 'render-process-gone', url: 'app://codex/chat/8f3a?tab=2', appVersion: '26.1.0' } });
    const bundle = bundles[0]!;
    expect(path.basename(bundle.path)).toMatch(/^codex-diag-\d{8}T\d{6}-.+\.zip$/);
    expect(statSync(bundle.path).mode & 0o777).toBe(0o600);
    const zip = await readZip(bundle.path, { maxEntryBytes: 10_000_000 });
    const manifest = JSON.parse(zip.files.get('manifest.json')!.toString()) as { incident: { kind: string; fingerprint: string } };
    expect(manifest.incident).toMatchObject({ kind: 'render-process-gone', fingerprint: bundle.fingerprint });
    const tail = zip.files.get('logs/tail.log')!.toString();
    expect(tail.trim().split('\n')).toHaveLength(20);
    expect(tail).not.toContain('abcdefghijklmnop');

    // Messages sent while the renderer is gone wait for its next ready.
    expect(diag.send(42, 'codex-diag:incident', { n: 1 })).toBe('queued');
    clock.advance(499);
    expect(wc.reloads).toBe(0);
    clock.advance(1);
    expect(wc.reloads).toBe(1);
    diag.markRendererReady(42);
    expect(wc.sent.at(-1)).toEqual(['codex-diag:incident', { n: 1 }]);

    // A crash loop: backoff doubles, the bound stops it, the limiter keeps it to one bundle.
    for (const delay of [1_000, 2_000]) {
      wc.fire('did-finish-load');
      clock.advance(100);
      wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
      clock.advance(delay - 1);
      const before = wc.reloads;
      clock.advance(1);
      expect(wc.reloads).toBe(before + 1);
    }
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    clock.advance(120_000);
    expect(wc.reloads).toBe(3);
    await waitFor(() => incidents.length === 4);
    expect(incidents.slice(1).map((i) => i.bundled)).toEqual([false, false, false]);
    expect(bundles).toHaveLength(1);

    // clean-exit and -3 (ERR_ABORTED) are not incidents; clean-exit is not reloaded.
    const clean = await diag.recordIncident({ kind: 'render-process-gone', reason: 'clean-exit', exitCode: 0 });
    expect(clean).toEqual({ status: 'ignored', reason: 'policy' });
    wc.fire('render-process-gone', { reason: 'clean-exit', exitCode: 0 });
    wc.fire('did-fail-load', -3, 'ERR_ABORTED', 'app://codex/chat', true, 4, 1);
    wc.fire('did-fail-load', -105, 'ERR_NAME_NOT_RESOLVED', 'https://chatgpt.com/x', false, 4, 9);
    clock.advance(60_000);
    expect(wc.reloads).toBe(3);

    // Malformed payloads are counted, never thrown.
    expect(() => {
      wc.fire('render-process-gone', 'garbage');
      wc.emit('did-fail-load');
      app.emit('child-process-gone', {}, null);
    }).not.toThrow();
    await expect(diag.recordIncident({ kind: 'render-process-gone' })).resolves.toMatchObject({ status: 'dropped', reason: 'malformed' });
    await expect(diag.recordIncident(null)).resolves.toMatchObject({ status: 'dropped', reason: 'malformed' });
    await expect(diag.recordIncident('{"kind":')).resolves.toMatchObject({ status: 'dropped' });
    expect(diag.faults.malformed).toBe(6);
    expect(diag.faults.total).toBe(6); // malformed inputs count in the total too
    await waitFor(() => incidents.length === 4);

    // Detach leaves no listener on the webContents or the app.
    detachWin();
    detachApp();
    for (const event of WEB_CONTENTS_EVENTS) expect(wc.listenerCount(event), event).toBe(0);
    for (const event of APP_EVENTS) expect(app.listenerCount(event), event).toBe(0);

    const closed = await diag.close({ timeoutMs: 2_000 });
    expect(closed.completed).toBe(true);
    const state = JSON.parse(readFileSync(path.join(root, 'data', 'state.json'), 'utf8')) as {
      renderer: { recovery_attempts: number };
      startup: { renderer_ready_latency_ms: number };
      incidents: Record<string, { count?: number }>;
    };
    expect(state.renderer.recovery_attempts).toBe(3);
    expect(state.startup.renderer_ready_latency_ms).toBe(1_250);
    expect(Object.keys(state.incidents)).toContain(bundle.fingerprint);
    const journal = readdirSync(path.join(root, 'data', 'journal'));
    const records = journal.flatMap((f) => readFileSync(path.join(root, 'data', 'journal', f), 'utf8').trim().split('\n'));
    expect(records).toHaveLength(4);
    await expect(diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11 })).resolves.toEqual({ status: 'dropped', reason: 'closed' });
  });

  it('turns missing heartbeats into an unresponsive incident naming the renderer', async () => {
    const { clock, diag, incidents, wc } = await story();
    wc.fire('did-navigate', 'app://codex/settings', 200, 'OK');
    diag.recordHeartbeat(42);
    clock.advance(9_999);
    diag.recordHeartbeat(42);
    clock.advance(10_000);
    await waitFor(() => incidents.length === 1);
    expect(incidents[0]!.incident).toMatchObject({ kind: 'unresponsive', source: 'heartbeat', durationMs: 10_000, url: 'app://codex/settings', webContentsId: 42, windowId: 1 });
    await diag.close();
  });

  it('keeps a throwing listener from reaching the app and counts it', async () => {
    const { diag } = await story();
    diag.on('incident', () => {
      throw new Error('listener bug');
    });
    const outcome = await diag.recordIncident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null });
    expect(outcome.status).toBe('recorded');
    expect(diag.faults.byArea['listener:incident']).toBe(1);
    await diag.close();
  });
});

