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
  'did-start-loading',
  'will-prevent-unload',
] as const;
export const APP_EVENTS = ['child-process-gone', 'render-process-gone', 'before-quit', 'will-quit'] as const;

/** A webContents stand-in: a plain EventEmitter with the members the adapter uses. */
export class FakeWebContents extends EventEmitter {
  reloads = 0;
  destroyed = false;
  loading = false;
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
  isLoading(): boolean {
    return this.loading;
  }
  /** Emits as Electron does: an Event object first. */
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, { preventDefault() {} }, ...args);
  }
  /** A page's `beforeunload` asks to stay; returns the event so a test can see whether a handler overrode it. */
  preventUnload(): { defaultPrevented: boolean } {
    const event = preventable();
    this.emit('will-prevent-unload', event);
    return event;
  }
}

/** An Electron event whose `preventDefault` is seen by every later listener. */
export function preventable(): { defaultPrevented: boolean; preventDefault(): void } {
  return { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

export class FakeWindow extends EventEmitter {
  destroyed = false;
  visible = true;
  minimized = false;
  constructor(
    readonly id: number,
    readonly webContents: FakeWebContents,
  ) {
    super();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
}

export class FakeCommandLine {
  readonly switches = new Map<string, string>();
  appendSwitch(name: string, value?: string): void {
    this.switches.set(name, value ?? '');
  }
  hasSwitch(name: string): boolean {
    return this.switches.has(name);
  }
  getSwitchValue(name: string): string {
    return this.switches.get(name) ?? '';
  }
}

/**
 * Electron's quit sequence: `before-quit` (preventable), then the windows close (a page's
 * `beforeunload` may cancel: set `windowCancelsNextQuit`), then `will-quit` (preventable), then the end.
 */
export class FakeApp extends EventEmitter {
  quits = 0;
  quitCompleted = false;
  windowCancelsNextQuit: FakeWebContents | undefined;
  ready = false;
  readonly commandLine = new FakeCommandLine();
  isReady(): boolean {
    return this.ready;
  }
  quit(): void {
    this.quits++;
    this.runQuit();
  }
  /** A user-initiated quit: Cmd+Q or the last window closed. Returns the `before-quit` event. */
  userQuit(): { defaultPrevented: boolean } {
    return this.runQuit();
  }
  private runQuit(): { defaultPrevented: boolean } {
    const before = preventable();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return before;
    const cancelling = this.windowCancelsNextQuit;
    this.windowCancelsNextQuit = undefined;
    if (cancelling && !cancelling.preventUnload().defaultPrevented) return before;
    const will = preventable();
    this.emit('will-quit', will);
    if (!will.defaultPrevented) this.quitCompleted = true;
    return before;
  }
}

// The stand-ins are checked against Electron's own types.
// (Electron's `on` returns `this`, i.e. a full WebContents, which no stand-in can be; the adapter's
// event-source types keep Electron's listener signatures and drop that return type.)
export function asWindow(win: FakeWindow): AdaptedWindow {
  return win satisfies Pick<BrowserWindow, 'id' | 'isDestroyed' | 'isVisible' | 'isMinimized'> & {
    webContents: Pick<WebContents, 'id' | 'reload' | 'isDestroyed' | 'getURL' | 'send' | 'isLoading'> & WebContentsEventSource;
  };
}
export function asApp(app: FakeApp): AdaptedApp {
  return app satisfies Pick<App, 'quit' | 'isReady'> & AppEventSource;
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
    paused: [] as Array<[string, number | undefined]>,
    resumed: [] as Array<[string, number | undefined]>,
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
    setQuitting: (value) => void (quitting = value),
    isQuitting: () => quitting,
    isRendererAttached: (id) => calls.registered.has(id),
    pauseHeartbeats: (reason, id) => void calls.paused.push([reason, id]),
    resumeHeartbeats: (reason, id) => void calls.resumed.push([reason, id]),
    close: async (options) => void calls.closes.push(options),
    reportFault: (where, error) => void calls.faults.push([where, error]),
    reportMalformed: (where, detail) => void calls.malformed.push([where, detail]),
    ...overrides,
  };
  const diag: HasElectronPort = { [ELECTRON_PORT]: port };
  return { diag, port, calls };
}
