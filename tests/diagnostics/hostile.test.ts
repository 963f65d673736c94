import { EventEmitter } from 'node:events';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import type { SidecarStartOptions } from '../../src/runtime/sidecar-types.js';
import { attachToApp, attachToWindow } from '../../src/electron/index.js';
import type { AdaptedApp, AdaptedWindow } from '../../src/electron/types.js';
import { asWindow, FakeWebContents, FakeWindow } from '../electron/fakes.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-hostile-').dir;
});
afterEach(() => removeDir(root));

async function open(clock = new ManualClock()) {
  const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, clock, bundle: { enabled: false } });
  return { diag, clock };
}

const sidecarExit = { kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null };

describe('diagnostics under hostile input', () => {
  it('counts an async listener that rejects instead of leaving an unhandled rejection', async () => {
    const { diag } = await open();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let after = 0;
      diag.on('incident', async () => {
        throw new Error('async listener bug');
      });
      diag.on('incident', () => after++);
      expect((await diag.recordIncident(sidecarExit)).status).toBe('recorded');
      expect(after).toBe(1); // the other listener still ran
      await waitFor(() => diag.faults.byArea['listener:incident'] === 1);
      // Give an unhandled rejection, if any, the turn Node needs to report it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await diag.close();
    }
  });

  it('does not throw from startSidecar for a malformed spec, and counts it', async () => {
    const { diag } = await open();
    for (const spec of [null, undefined, 42, { command: 5 }, { command: '' }]) {
      const handle = diag.startSidecar(spec as unknown as SidecarStartOptions);
      expect(handle.pid).toBeUndefined();
      expect(handle.state).toBe('stopped');
      expect(handle.resume()).toBe(false);
      await expect(handle.stop()).resolves.toBeUndefined();
    }
    expect(diag.faults.byArea.sidecar).toBe(5);
    await diag.close();
  });

  it('after close: starts no sidecar, queues nothing, records nothing, arms no timer, and never throws', async () => {
    const { diag, clock } = await open();
    await diag.close();
    await diag.close(); // twice
    const handle = diag.startSidecar({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
    expect(handle.pid).toBeUndefined();
    expect(handle.state).toBe('stopped');
    expect(diag.send(7, 'codex-diag:incident', { a: 1 }, { lossless: true })).toBe('dropped');
    expect(diag.deliveryStats().queued).toBe(0);
    expect(await diag.recordIncident(sidecarExit)).toEqual({ status: 'dropped', reason: 'closed' });
    expect(diag.markRendererReady(7)).toBeNull();
    expect(() => diag.recordAppStarted()).not.toThrow();
    diag.recordHeartbeat(7);
    expect(clock.pending).toBe(0); // no watchdog timer re-armed after close
  });

  it('attaches nothing to objects that are not an Electron app or window, and says so', async () => {
    const { diag } = await open();
    const hostileWindows: unknown[] = [
      null,
      {},
      { id: 1, isDestroyed: () => false, webContents: { id: 'x', isDestroyed: () => false } },
      {
        get id(): number {
          throw new Error('Object has been destroyed');
        },
        isDestroyed: () => false,
        webContents: new FakeWebContents(3),
      },
      { id: 1, isDestroyed: () => false, webContents: Object.assign(new FakeWebContents(4), { on: undefined }) },
    ];
    for (const win of hostileWindows) {
      let detach: () => void = () => undefined;
      expect(() => (detach = attachToWindow(diag, win as AdaptedWindow))).not.toThrow();
      expect(() => detach()).not.toThrow();
    }
    for (const app of [null, {}, { on: () => undefined }]) {
      expect(() => attachToApp(diag, app as unknown as AdaptedApp)()).not.toThrow();
    }
    expect(diag.faults.byArea['electron:attachToWindow']).toBe(hostileWindows.length);
    expect(diag.faults.byArea['electron:attachToApp']).toBe(3);
    await diag.close();
  });

  it('reads the URL safely and survives a webContents whose getURL and reload throw', async () => {
    const { diag, clock } = await open();
    const wc = new FakeWebContents(9);
    wc.getURL = () => {
      throw new Error('Object has been destroyed');
    };
    wc.reload = () => {
      throw new Error('Object has been destroyed');
    };
    const detach = attachToWindow(diag, asWindow(new FakeWindow(2, wc)));
    expect(() => wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 })).not.toThrow();
    expect(() => clock.advance(60_000)).not.toThrow();
    expect(diag.faults.byArea['electron:recovery']).toBe(1);
    detach();
    expect(EventEmitter.prototype.listenerCount.call(wc, 'render-process-gone')).toBe(0);
    await diag.close();
  });

  it('does not reload a window that crashes after close (the flush on quit)', async () => {
    const { diag, clock } = await open();
    const wc = new FakeWebContents(11);
    attachToWindow(diag, asWindow(new FakeWindow(3, wc)));
    await diag.close();
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    clock.advance(60_000);
    expect(wc.reloads).toBe(0);
  });

  it('takes a malformed or overlong close budget without throwing or ending the flush at once', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const endless = await open();
      expect((await endless.diag.close({ timeoutMs: Infinity })).completed).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('TimeoutOverflowWarning'); // Node would have fired it after 1 ms

      const nulled = await open();
      let closing: Promise<unknown> | undefined;
      expect(() => (closing = nulled.diag.close(null as unknown as { timeoutMs: number }))).not.toThrow();
      await expect(closing).resolves.toMatchObject({ completed: true });

      const negative = await open();
      await expect(negative.diag.close({ timeoutMs: -5 })).resolves.toMatchObject({ completed: true });
      expect(negative.diag.faults.byArea.close).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('attaching the same window twice replaces the first attachment: one incident and one reload per crash', async () => {
    const { diag, clock } = await open();
    const incidents: unknown[] = [];
    diag.on('incident', (i) => incidents.push(i));
    const wc = new FakeWebContents(21);
    const win = asWindow(new FakeWindow(5, wc));
    attachToWindow(diag, win);
    const detachSecond = attachToWindow(diag, win);
    expect(wc.listenerCount('render-process-gone')).toBe(1);
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    clock.advance(60_000);
    await waitFor(() => incidents.length > 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(incidents).toHaveLength(1);
    expect(wc.reloads).toBe(1);
    detachSecond();
    expect(wc.listenerCount('render-process-gone')).toBe(0);
    await diag.close();
  });

  it('takes markRendererReady and send for a renderer nothing attached, counting what cannot be delivered', async () => {
    const { diag } = await open();
    expect(() => diag.markRendererReady(404)).not.toThrow();
    expect(diag.send(404, 'codex-diag:incident', { a: 1 })).toBe('failed');
    expect(diag.faults.byArea.delivery).toBe(1);
    await diag.close();
  });
});
