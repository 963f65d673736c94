import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachToApp } from '../../src/electron/index.js';
import { APP_EVENTS, asApp, FakeApp, fakePort } from './fakes.js';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe('attachToApp', () => {
  it('records child-process-gone with Electron’s field names', () => {
    const app = new FakeApp();
    const { diag, calls } = fakePort();
    attachToApp(diag, asApp(app));
    app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: -1073741819 });
    app.emit('child-process-gone', {}, { type: 'GPU' });
    expect(calls.incidents).toEqual([
      { kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, serviceName: '', name: '', occurredAt: '1970-01-01T00:00:00.000Z' },
    ]);
    expect(calls.malformed).toEqual([['electron:child-process-gone', 'details.reason is not a string']]);
  });

  it('holds the quit at will-quit for one bounded flush, then quits for real', async () => {
    const app = new FakeApp();
    const { diag, calls, port } = fakePort();
    attachToApp(diag, asApp(app));
    const first = app.userQuit();
    expect(first.defaultPrevented).toBe(false);
    expect(app.quitCompleted).toBe(false);
    expect(port.isQuitting()).toBe(true);
    app.userQuit(); // a second Cmd+Q waits for the same flush
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.closes).toEqual([{ timeoutMs: 2_000 }]);
    expect(app.quits).toBe(1);
    expect(app.quitCompleted).toBe(true);
  });

  it('quits at the budget even when the flush hangs', async () => {
    const app = new FakeApp();
    const { diag } = fakePort({ close: () => new Promise(() => undefined) });
    attachToApp(diag, asApp(app));
    app.userQuit();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(app.quitCompleted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(app.quitCompleted).toBe(true);
    expect(app.quits).toBe(1);
  });

  it('quits when the flush throws or rejects, and counts the fault', async () => {
    for (const close of [() => Promise.reject(new Error('disk full')), () => { throw new Error('sync'); }]) {
      const app = new FakeApp();
      const { diag, calls } = fakePort({ close });
      attachToApp(diag, asApp(app));
      expect(() => app.userQuit()).not.toThrow();
      await vi.advanceTimersByTimeAsync(0);
      expect(app.quitCompleted).toBe(true);
      expect(calls.faults.map(([w]) => w)).toEqual(['electron:will-quit']);
    }
  });

  it('detach removes every listener it added', () => {
    const app = new FakeApp();
    const { diag } = fakePort();
    const detach = attachToApp(diag, asApp(app));
    detach();
    expect(APP_EVENTS.map((e) => app.listenerCount(e))).toEqual([0, 0, 0, 0]);
    app.userQuit();
    expect(app.quitCompleted).toBe(true);
  });
});
