import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachToWindow } from '../../src/electron/index.js';
import { asWindow, fakePort, FakeWebContents, FakeWindow, WEB_CONTENTS_EVENTS } from './fakes.js';

beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-11-21T10:00:00Z') }));
afterEach(() => vi.useRealTimers());

function setup(overrides: Parameters<typeof fakePort>[0] = {}) {
  const wc = new FakeWebContents(42);
  const win = new FakeWindow(3, wc);
  const { diag, calls, port } = fakePort(overrides);
  const detach = attachToWindow(diag, asWindow(win));
  return { wc, win, calls, port, detach };
}

describe('attachToWindow', () => {
  it('records a renderer crash with the URL at crash time, gates its messages again and reloads after the delay', () => {
    const { wc, calls } = setup();
    wc.fire('did-navigate', 'app://codex/chat/8f3a', 200, 'OK');
    wc.fire('did-navigate-in-page', 'app://codex/chat/8f3a?tab=2', true, 4, 1);
    wc.fire('did-navigate-in-page', 'https://frame.example/sub', false, 4, 9); // a sub-frame: not the page URL
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    expect(calls.incidents).toEqual([
      {
        kind: 'render-process-gone',
        reason: 'crashed',
        exitCode: 11,
        url: 'app://codex/chat/8f3a?tab=2',
        webContentsId: 42,
        windowId: 3,
        occurredAt: '2026-11-21T10:00:00.000Z',
      },
    ]);
    expect(calls.gone).toEqual([42]);
    vi.advanceTimersByTime(499);
    expect(wc.reloads).toBe(0);
    vi.advanceTimersByTime(1);
    expect(wc.reloads).toBe(1);
    expect(calls.attempts).toMatchObject([{ attempt: 1, delayMs: 500, reason: 'crashed' }]);
  });

  it('backs off across a crash loop, stops at maxReloads, and starts over after a load that stays up', () => {
    const { wc, calls } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = Date.now();
      wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
      const reloadsBefore = wc.reloads;
      vi.advanceTimersByTime(5_000);
      if (wc.reloads > reloadsBefore) delays.push((calls.attempts.at(-1) as { at: number }).at - start);
      wc.fire('did-finish-load');
      vi.advanceTimersByTime(1_000); // crashes again before the load counts as stable
    }
    expect(delays).toEqual([500, 1_000, 2_000]);
    expect(wc.reloads).toBe(3);
    expect(calls.gaveUp).toMatchObject([{ webContentsId: 42, attempts: 3 }]);
    expect(calls.incidents).toHaveLength(4);

    expect(calls.resets).toEqual([]);
    wc.fire('did-finish-load');
    vi.advanceTimersByTime(10_000);
    expect(calls.resets).toEqual([42]);
    wc.fire('render-process-gone', { reason: 'oom', exitCode: -536870904 });
    vi.advanceTimersByTime(500);
    expect(wc.reloads).toBe(4);
  });

  it('does not reload after a clean exit, while the app quits, or once the window is destroyed', () => {
    const { wc, win, port, calls } = setup();
    wc.fire('render-process-gone', { reason: 'clean-exit', exitCode: 0 });
    vi.advanceTimersByTime(60_000);
    expect(wc.reloads).toBe(0);

    port.setQuitting(true);
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    vi.advanceTimersByTime(60_000);
    expect(wc.reloads).toBe(0);
    expect(calls.attempts).toEqual([]);

    const other = setup();
    other.wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    other.win.destroyed = true;
    vi.advanceTimersByTime(60_000);
    expect(other.wc.reloads).toBe(0);
    expect(win.destroyed).toBe(false);
  });

  it('passes failed loads on with Electron’s field names (policy on -3 and sub-frames is applied by diagnostics)', () => {
    const { wc, calls } = setup();
    wc.fire('did-fail-load', -105, 'ERR_NAME_NOT_RESOLVED', 'https://chatgpt.com/backend-api/x', true, 4, 1);
    expect(calls.incidents[0]).toMatchObject({
      kind: 'did-fail-load',
      errorCode: -105,
      errorDescription: 'ERR_NAME_NOT_RESOLVED',
      validatedURL: 'https://chatgpt.com/backend-api/x',
      isMainFrame: true,
      frameProcessId: 4,
      frameRoutingId: 1,
      webContentsId: 42,
    });
  });

  it('turns a long hang into an unresponsive incident with its duration and the most frequent stack', async () => {
    const { wc, calls } = setup();
    wc.stack = async () => 'at renderList (app://codex/assets/index-3f2a.js:1:4410)';
    wc.fire('unresponsive');
    await vi.advanceTimersByTimeAsync(6_000);
    wc.fire('responsive');
    expect(calls.incidents).toHaveLength(1);
    expect(calls.incidents[0]).toMatchObject({
      kind: 'unresponsive',
      durationMs: 6_000,
      ongoing: false,
      source: 'electron',
      stack: 'at renderList (app://codex/assets/index-3f2a.js:1:4410)',
      url: 'app://codex/',
    });
    expect((calls.incidents[0]!.stacks as Array<{ count: number }>)[0]!.count).toBeGreaterThanOrEqual(5);
  });

  it('counts malformed payloads and handler faults without throwing into the app', () => {
    const { wc, calls } = setup({
      recordIncident: () => {
        throw new Error('diagnostics broke');
      },
    });
    expect(() => {
      wc.emit('render-process-gone');
      wc.fire('render-process-gone', { reason: 42 });
      wc.fire('did-fail-load', 'not-a-number');
      wc.fire('did-navigate', { not: 'a url' });
      wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    }).not.toThrow();
    expect(calls.malformed.map(([where]) => where)).toEqual([
      'electron:render-process-gone',
      'electron:render-process-gone',
      'electron:did-fail-load',
      'electron:did-navigate',
    ]);
    expect(calls.faults.map(([where]) => where)).toEqual(['electron:render-process-gone']);
  });

  it('detach removes every listener it added and stops every timer', () => {
    const { wc, detach, calls } = setup();
    wc.on('did-finish-load', () => undefined); // the app's own listener stays
    wc.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    wc.fire('unresponsive');
    detach();
    detach();
    for (const event of WEB_CONTENTS_EVENTS) {
      expect(wc.listenerCount(event) - (event === 'did-finish-load' ? 1 : 0), event).toBe(0);
    }
    expect(vi.getTimerCount()).toBe(0);
    expect(calls.registered.size).toBe(0);
  });

  it('registers the renderer so diagnostics can reach it and name its URL', () => {
    const { wc, calls } = setup();
    wc.fire('did-navigate', 'app://codex/settings', 200, 'OK');
    const renderer = calls.registered.get(42)!;
    renderer.send('codex-diag:incident', { n: 1 });
    expect(wc.sent).toEqual([['codex-diag:incident', { n: 1 }]]);
    expect(renderer.describe()).toEqual({ url: 'app://codex/settings', windowId: 3 });
  });

  it('attaches nothing to a window that is already destroyed, and says so', () => {
    const wc = new FakeWebContents(7);
    const win = new FakeWindow(2, wc);
    win.destroyed = true;
    const { diag, calls } = fakePort();
    const detach = attachToWindow(diag, asWindow(win));
    expect(WEB_CONTENTS_EVENTS.map((e) => wc.listenerCount(e)).every((n) => n === 0)).toBe(true);
    expect(calls.malformed).toEqual([['electron:attachToWindow', 'the window or its webContents is already destroyed']]);
    expect(() => detach()).not.toThrow();
  });

  it('detaches by itself when the webContents is destroyed', () => {
    const { wc, calls } = setup();
    wc.emit('destroyed');
    expect(calls.destroyed).toEqual([42]);
    expect(WEB_CONTENTS_EVENTS.map((e) => wc.listenerCount(e))).toEqual(WEB_CONTENTS_EVENTS.map(() => 0));
  });
});
