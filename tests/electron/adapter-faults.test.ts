import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachToApp, attachToWindow, JS_CALL_STACKS_FEATURE, withJsCallStackPolicy } from '../../src/electron/index.js';
import { asApp, asWindow, FakeApp, FakeWebContents, FakeWindow, fakePort, preventable } from './fakes.js';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

const crash = { reason: 'crashed', exitCode: 11 };

describe('quit: the flush runs at will-quit, and a cancelled quit leaves recovery on', () => {
  it('does not flush at before-quit: windows may still cancel the quit', async () => {
    const app = new FakeApp();
    const { diag, calls } = fakePort();
    attachToApp(diag, asApp(app));
    app.emit('before-quit', preventable());
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.closes).toEqual([]);
  });

  it('an app handler that cancels in before-quit: no flush, not quitting, crashes still reload', async () => {
    const app = new FakeApp();
    const wc = new FakeWebContents(1);
    const { diag, calls, port } = fakePort();
    attachToApp(diag, asApp(app));
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    app.on('before-quit', (event: { preventDefault(): void }) => event.preventDefault()); // "are you sure?" said no
    app.userQuit();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.closes).toEqual([]);
    expect(port.isQuitting()).toBe(false);
    wc.fire('render-process-gone', crash);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wc.reloads).toBe(1);
  });

  it('a window whose beforeunload cancels the quit: not quitting afterwards, crashes still reload', async () => {
    const app = new FakeApp();
    const wc = new FakeWebContents(1);
    const { diag, calls, port } = fakePort();
    attachToApp(diag, asApp(app));
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    app.windowCancelsNextQuit = wc;
    app.userQuit();
    await vi.advanceTimersByTimeAsync(0);
    expect(app.quitCompleted).toBe(false);
    expect(calls.closes).toEqual([]);
    expect(port.isQuitting()).toBe(false);
    wc.fire('render-process-gone', crash);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wc.reloads).toBe(1);
    // The next quit goes through and flushes once.
    app.userQuit();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.closes).toHaveLength(1);
    expect(app.quitCompleted).toBe(true);
  });

  it('a renderer that crashes while windows close is not reloaded', async () => {
    const app = new FakeApp();
    const wc = new FakeWebContents(1);
    const { diag } = fakePort();
    attachToApp(diag, asApp(app));
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    app.on('before-quit', () => wc.fire('render-process-gone', { reason: 'killed', exitCode: 9 }));
    app.userQuit();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wc.reloads).toBe(0);
  });

  it('an app handler that cancels in will-quit before ours: no flush, not quitting', async () => {
    const app = new FakeApp();
    const { diag, calls, port } = fakePort();
    app.on('will-quit', (event: { preventDefault(): void }) => event.preventDefault());
    attachToApp(diag, asApp(app));
    app.userQuit();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.closes).toEqual([]);
    expect(port.isQuitting()).toBe(false);
  });
});

describe('renderers outside attached windows', () => {
  it('app-level render-process-gone is recorded for unattached webContents, once for attached ones', () => {
    const app = new FakeApp();
    const attached = new FakeWebContents(1);
    const view = new FakeWebContents(2);
    view.url = 'app://codex/panel';
    const { diag, calls } = fakePort();
    attachToApp(diag, asApp(app));
    attachToWindow(diag, asWindow(new FakeWindow(10, attached)));
    // Electron emits the webContents' own event and the app's.
    attached.fire('render-process-gone', crash);
    app.emit('render-process-gone', preventable(), attached, crash);
    app.emit('render-process-gone', preventable(), view, crash);
    expect(calls.incidents.map((i) => [i.kind, i.webContentsId, i.url])).toEqual([
      ['render-process-gone', 1, 'app://codex/'],
      ['render-process-gone', 2, 'app://codex/panel'],
    ]);
  });
});

describe('per-reason policy', () => {
  it('child-process-gone while quitting: helpers ended by the quit are not incidents, real crashes are', () => {
    const app = new FakeApp();
    const { diag, calls, port } = fakePort();
    attachToApp(diag, asApp(app));
    port.setQuitting(true);
    for (const reason of ['killed', 'clean-exit', 'abnormal-exit', 'crashed']) {
      app.emit('child-process-gone', preventable(), { type: 'Utility', reason, exitCode: 1, serviceName: 'network.mojom.NetworkService' });
    }
    expect(calls.incidents.map((i) => i.reason)).toEqual(['crashed']);
  });

  it('memory-eviction is no crash: no incident, a reload that is not counted as a recovery attempt', async () => {
    const wc = new FakeWebContents(1);
    const { diag, calls } = fakePort();
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    wc.fire('render-process-gone', { reason: 'memory-eviction', exitCode: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.incidents).toEqual([]);
    expect(calls.attempts).toEqual([]);
    expect(wc.reloads).toBe(1);
  });

  it('forcefullyCrashRenderer() then reload() by the app: no second reload from codex-diag', async () => {
    const wc = new FakeWebContents(1);
    const { diag, calls } = fakePort();
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    // The app's own reload comes first; Electron reports the kill afterwards.
    wc.loading = true;
    wc.fire('did-start-loading');
    wc.fire('render-process-gone', { reason: 'killed', exitCode: 9 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wc.reloads).toBe(0);
    expect(calls.incidents).toEqual([]);
  });

  it('an app that reloads after the crash event but before our backoff: ours is cancelled', async () => {
    const wc = new FakeWebContents(1);
    const { diag, calls } = fakePort();
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)));
    wc.fire('render-process-gone', crash);
    wc.fire('did-start-loading');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(wc.reloads).toBe(0);
    expect(calls.incidents).toHaveLength(1);
  });

  it('every row is configurable', async () => {
    const app = new FakeApp();
    const wc = new FakeWebContents(1);
    const { diag, calls } = fakePort();
    attachToApp(diag, asApp(app), { childProcessGone: { running: { killed: 'ignore' } } });
    attachToWindow(diag, asWindow(new FakeWindow(10, wc)), { renderProcessGone: { reasons: { oom: { incident: true, recovery: 'none' } } } });
    app.emit('child-process-gone', preventable(), { type: 'GPU', reason: 'killed', exitCode: 9 });
    wc.fire('render-process-gone', { reason: 'oom', exitCode: -536870904 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.incidents.map((i) => i.reason)).toEqual(['oom']);
    expect(wc.reloads).toBe(0);
  });
});

describe('heartbeats pause for suspend, lock screen and hidden windows', () => {
  it('powerMonitor events pause and resume every renderer', () => {
    const app = new FakeApp();
    const power = new FakeApp(); // any emitter
    const { diag, calls } = fakePort();
    attachToApp(diag, asApp(app), { powerMonitor: power as never });
    for (const event of ['suspend', 'resume', 'lock-screen', 'unlock-screen']) power.emit(event);
    expect(calls.paused).toEqual([['suspend', undefined], ['lock-screen', undefined]]);
    expect(calls.resumed).toEqual([['suspend', undefined], ['lock-screen', undefined]]);
  });

  it('a hidden or minimised window pauses its own renderer, from attach on', () => {
    const wc = new FakeWebContents(1);
    const win = new FakeWindow(10, wc);
    win.visible = false;
    const { diag, calls } = fakePort();
    const detach = attachToWindow(diag, asWindow(win));
    expect(calls.paused).toEqual([['hidden', 1]]);
    win.emit('show');
    win.emit('minimize');
    win.emit('restore');
    win.emit('hide');
    expect(calls.paused).toEqual([['hidden', 1], ['minimized', 1], ['hidden', 1]]);
    expect(calls.resumed).toEqual([['hidden', 1], ['minimized', 1]]);
    detach();
    expect(calls.resumed).toEqual([['hidden', 1], ['minimized', 1], ['hidden', 1]]);
  });
});

describe('JS call stacks of hung renderers', () => {
  it('appends the feature to the app’s own enable-features and adds Document-Policy to frame responses', () => {
    const app = new FakeApp();
    app.commandLine.appendSwitch('enable-features', 'SharedArrayBuffer');
    let listener: ((details: { resourceType?: string; responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | undefined;
    const session = { webRequest: { onHeadersReceived: (l: typeof listener) => void (listener = l) } };
    const { diag } = fakePort();
    attachToApp(diag, asApp(app), { jsCallStacks: { sessions: [session as never] } });
    expect(app.commandLine.getSwitchValue('enable-features')).toBe(`SharedArrayBuffer,${JS_CALL_STACKS_FEATURE}`);
    const answers: unknown[] = [];
    listener!({ resourceType: 'mainFrame', responseHeaders: { 'content-type': ['text/html'], 'document-policy': ['force-load-at-top'] } }, (r) => answers.push(r));
    listener!({ resourceType: 'script', responseHeaders: {} }, (r) => answers.push(r));
    expect(answers).toEqual([
      { responseHeaders: { 'content-type': ['text/html'], 'Document-Policy': ['force-load-at-top, include-js-call-stacks-in-crash-reports'] } },
      {},
    ]);
    expect(withJsCallStackPolicy(undefined)).toEqual({ 'Document-Policy': ['include-js-call-stacks-in-crash-reports'] });
  });

  it('after ready it is too late for the switch: counted, never thrown', () => {
    const app = new FakeApp();
    app.ready = true;
    const { diag, calls } = fakePort();
    expect(() => attachToApp(diag, asApp(app), { jsCallStacks: {} })).not.toThrow();
    expect(app.commandLine.hasSwitch('enable-features')).toBe(false);
    expect(calls.malformed.map(([w]) => w)).toEqual(['electron:jsCallStacks']);
  });

  it('starts Electron’s crashReporter without uploads when asked', () => {
    const started: unknown[] = [];
    const { diag } = fakePort();
    attachToApp(diag, asApp(new FakeApp()), { crashReporter: { start: (o) => void started.push(o) }, crashReporterOptions: { productName: 'Codex', uploadToServer: true } });
    expect(started).toEqual([{ productName: 'Codex', uploadToServer: false }]);
  });
});
