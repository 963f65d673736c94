import { EventEmitter } from 'node:events';
import type { App, BrowserWindow, WebContents } from 'electron';
import { systemClock } from '../../src/clock.js';
import { ELECTRON_PORT } from '../../src/diagnostics/electron-port.js';
import type { ElectronPort, HasElectronPort, RegisteredRenderer } from '../../src/diagnostics/electron-port.js';
import type { AdaptedApp, AdaptedWindow, AppEventSource, WebContentsEventSource } from '../../src/electron/types.js';
import { defaultRecoveryPolicy } from '../../src/runtime/recovery-policy.js';
import { defaultUnresponsiveOptions } from '../../src/runtime/unresponsive-monitor.js';

/** The events the adapter listens to on a webContents and on the app (detach must leave none). */
export const WEB_CONTENTS_EVENTS = [
  'render-process-gone',
  'unresponsive',
  'responsive',
  'did-fail-load',
  'did-navigate',
  'did-navigate-in-page',
  'did-finish-load',
  'destroyed',
] as const;
export const APP_EVENTS = ['child-process-gone', 'before-quit'] as const;

/** A webContents stand-in: a plain EventEmitter with the members the adapter uses. */
export class FakeWebContents extends EventEmitter {
  reloads = 0;
  destroyed = false;
  url = 'app://codex/';
  stack: (() => Promise<string>) | undefined;
  readonly mainFrame = { collectJavaScriptCallStack: (): Promise<string> | Promise<void> => (this.stack ? this.stack() : Promise.resolve()) };
  constructor(readonly id: number) {
    super();
  }
  readonly sent: Array<[string, unknown]> = [];
  reload(): void {
    this.reloads++;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push([channel, args[0]]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  /** Emits as Electron does: an Event object first. */
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, { preventDefault() {} }, ...args);
  }
}

export class FakeWindow {
  destroyed = false;
  constructor(
    readonly id: number,
    readonly webContents: FakeWebContents,
  ) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeApp extends EventEmitter {
  quits = 0;
  quit(): void {
    this.quits++;
    // Electron emits before-quit again for the second quit; a handler that lets it through ends it.
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitCompleted = true;
  }
  quitCompleted = false;
  /** A user-initiated quit: Cmd+Q or the last window closed. */
  userQuit(): { defaultPrevented: boolean } {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitCompleted = true;
    return event;
  }
}

// The stand-ins are checked against Electron's own types.
// (Electron's `on` returns `this`, i.e. a full WebContents, which no stand-in can be; the adapter's
// event-source types keep Electron's listener signatures and drop that return type.)
export function asWindow(win: FakeWindow): AdaptedWindow {
  return win satisfies Pick<BrowserWindow, 'id' | 'isDestroyed'> & {
    webContents: Pick<WebContents, 'id' | 'reload' | 'isDestroyed' | 'getURL' | 'send'> & WebContentsEventSource;
  };
}
export function asApp(app: FakeApp): AdaptedApp {
  return app satisfies Pick<App, 'quit'> & AppEventSource;
}

/** A port that records what the adapter asks of diagnostics. */
export function fakePort(overrides: Partial<ElectronPort> = {}) {
  const calls = {
    incidents: [] as Array<Record<string, unknown>>,
    attempts: [] as unknown[],
    gaveUp: [] as unknown[],
    gone: [] as number[],
    destroyed: [] as number[],
    faults: [] as Array<[string, unknown]>,
    malformed: [] as Array<[string, string]>,
    closes: [] as Array<{ timeoutMs: number }>,
    registered: new Map<number, RegisteredRenderer>(),
    resets: [] as number[],
  };
  let quitting = false;
  const port: ElectronPort = {
    clock: systemClock,
    recovery: { ...defaultRecoveryPolicy, baseDelayMs: 500, maxDelayMs: 4_000, maxReloads: 3, windowMs: 60_000, stableMs: 10_000 },
    unresponsive: defaultUnresponsiveOptions,
    quitFlushTimeoutMs: 2_000,
    recordIncident: async (incident) => void calls.incidents.push(incident),
    recordRecoveryAttempt: (attempt) => void calls.attempts.push(attempt),
    recoveryGaveUp: (info) => void calls.gaveUp.push(info),
    rendererGone: (id) => void calls.gone.push(id),
    rendererDestroyed: (id) => void calls.destroyed.push(id),
    recoveryReset: (id) => void calls.resets.push(id),
    registerRenderer: (id, renderer) => {
      calls.registered.set(id, renderer);
      return () => calls.registered.delete(id);
    },
    markQuitting: () => void (quitting = true),
    isQuitting: () => quitting,
    close: async (options) => void calls.closes.push(options),
    reportFault: (where, error) => void calls.faults.push([where, error]),
    reportMalformed: (where, detail) => void calls.malformed.push([where, detail]),
    ...overrides,
  };
  const diag: HasElectronPort = { [ELECTRON_PORT]: port };
  return { diag, port, calls };
}
