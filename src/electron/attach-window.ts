import type { Event } from 'electron';
import { RecoveryController } from '../runtime/recovery-controller.js';
import { UnresponsiveMonitor } from '../runtime/unresponsive-monitor.js';
import type { CollectStack } from '../runtime/unresponsive-monitor.js';
import { rendererGonePolicyWith, rendererGoneRule, type RendererGonePolicy } from './gone-policy.js';
import { readDidFailLoad, readRenderProcessGone } from './incident-from-electron.js';
import { isListenerTarget, ListenerSet } from './listeners.js';
import { onWillPreventUnload } from './quit-flush.js';
import { electronPortOf } from '../diagnostics/electron-port.js';
import type { ElectronPort, HasElectronPort } from '../diagnostics/electron-port.js';
import type { AdaptedWindow, AdaptedWebContents, Detach } from './types.js';

/**
 * Watches one window's renderer: crashes (`render-process-gone`, then recovery by reload),
 * hangs (`unresponsive`/`responsive`, with sampled JS stacks), failed loads, and the URL at the
 * time of each (`did-navigate`, `did-navigate-in-page`). Returns a detach that removes every
 * listener added and stops every timer.
 */
export interface AttachWindowOptions {
  /** Per-reason policy for this window's `render-process-gone` (see gone-policy.ts for the defaults). */
  renderProcessGone?: Partial<RendererGonePolicy>;
}

export function attachToWindow(diag: HasElectronPort, win: AdaptedWindow, options: AttachWindowOptions = {}): Detach {
  const port = electronPortOf(diag);
  if (isGone(win)) {
    port.reportMalformed('electron:attachToWindow', 'the window or its webContents is already destroyed');
    return () => undefined;
  }
  const ids = readIds(win);
  if (!ids) {
    port.reportMalformed('electron:attachToWindow', 'expected a BrowserWindow: numeric id, webContents with a numeric id and on/off');
    return () => undefined;
  }
  return attachToLiveWindow(port, win, ids.webContentsId, ids.windowId, rendererGonePolicyWith(options.renderProcessGone));
}

function attachToLiveWindow(port: ElectronPort, win: AdaptedWindow, webContentsId: number, windowId: number, policy: RendererGonePolicy): Detach {
  const webContents = win.webContents;
  const listeners = new ListenerSet(port);
  let currentUrl = safeUrl(webContents);
  let detached = false;

  const context = () => ({ url: currentUrl, webContentsId, windowId, occurredAt: new Date(port.clock.now()).toISOString() });
  const record = (incident: Record<string, unknown>) => {
    port.recordIncident(incident).catch((error: unknown) => port.reportFault('electron:recordIncident', error));
  };

  const recovery = new RecoveryController({
    clock: port.clock,
    policy: port.recovery,
    target: {
      isQuitting: () => port.isQuitting(),
      isDestroyed: () => win.isDestroyed() || webContents.isDestroyed(),
      reload: () => webContents.reload(),
    },
    onAttempt: (attempt) => port.recordRecoveryAttempt(attempt),
    onStable: () => port.recoveryReset(webContentsId),
    onGaveUp: (info) => port.recoveryGaveUp({ webContentsId, ...info }),
    onFault: (error) => port.reportFault('electron:recovery', error),
  });

  const monitor = new UnresponsiveMonitor({
    clock: port.clock,
    options: port.unresponsive,
    collectStack: stackCollector(webContents),
    onHang: (report) => {
      const incident: Record<string, unknown> = {
        kind: 'unresponsive',
        ...context(),
        durationMs: report.durationMs,
        ongoing: report.ongoing,
        stackSamples: report.samples,
        source: 'electron',
      };
      if (report.stack !== undefined) incident.stack = report.stack;
      if (report.stacks !== undefined) incident.stacks = report.stacks;
      record(incident);
    },
    onFault: (error) => port.reportFault('electron:unresponsive', error),
  });

  const unregister = port.registerRenderer(webContentsId, {
    describe: () => ({ url: currentUrl, windowId }),
    send: (channel, payload) => webContents.send(channel, payload),
    detach: () => detach(),
  });

  listeners.on(webContents, 'did-navigate', (_event: Event, url: unknown) => {
    if (typeof url === 'string') currentUrl = url;
    else port.reportMalformed('electron:did-navigate', 'url is not a string');
  });
  listeners.on(webContents, 'did-navigate-in-page', (_event: Event, url: unknown, isMainFrame: unknown) => {
    if (typeof url !== 'string') return port.reportMalformed('electron:did-navigate-in-page', 'url is not a string');
    if (isMainFrame !== false) currentUrl = url;
  });
  listeners.on(webContents, 'did-finish-load', () => recovery.loadFinished());
  listeners.on(webContents, 'render-process-gone', (_event: Event, details: unknown) => {
    const parsed = readRenderProcessGone(details);
    if (!parsed.ok) return port.reportMalformed('electron:render-process-gone', parsed.problem);
    // A hang that ended in a crash is still reported (when it outlasted the grace period).
    monitor.responsive();
    port.rendererGone(webContentsId);
    // `forcefullyCrashRenderer()` then `reload()`: the app ended a hang itself and is loading again.
    const appInitiated = parsed.value.reason === 'killed' && isLoading(webContents);
    const rule = rendererGoneRule(policy, parsed.value.reason, appInitiated);
    if (rule.incident) record({ kind: 'render-process-gone', ...parsed.value, ...context() });
    if (rule.recovery === 'reload') recovery.maybeRecoverFromRendererCrash(parsed.value.reason);
    else if (rule.recovery === 'reload-uncounted') recovery.reloadUncounted();
  });
  // The app reloaded before our backoff ran out: one reload is enough.
  listeners.on(webContents, 'did-start-loading', () => recovery.cancelPending());
  listeners.on(webContents, 'will-prevent-unload', (event: Event) => onWillPreventUnload(port, event));
  listeners.on(webContents, 'unresponsive', () => monitor.unresponsive());
  listeners.on(webContents, 'responsive', () => monitor.responsive());
  listeners.on(webContents, 'did-fail-load', (_event: Event, ...args: unknown[]) => {
    const parsed = readDidFailLoad(args);
    if (!parsed.ok) return port.reportMalformed('electron:did-fail-load', parsed.problem);
    // Policy (main frame only, not -3 ERR_ABORTED) lives with the incidents, in one place.
    record({ kind: 'did-fail-load', ...parsed.value, ...context() });
  });
  const visibility = watchVisibility(win, port, listeners, webContentsId);
  listeners.on(webContents, 'destroyed', () => {
    port.rendererDestroyed(webContentsId);
    detach();
  });

  function detach(): void {
    if (detached) return;
    detached = true;
    listeners.removeAll();
    visibility.end();
    recovery.dispose();
    monitor.dispose();
    try {
      unregister();
    } catch (error) {
      port.reportFault('electron:detach', error);
    }
  }
  return detach;
}

/**
 * A hidden or minimised window's timers are throttled by Chromium, so its heartbeats slow down:
 * the watchdog pauses for it until it is shown again.
 */
function watchVisibility(win: AdaptedWindow, port: ElectronPort, listeners: ListenerSet, webContentsId: number): { end(): void } {
  const held = new Set<string>();
  const set = (reason: string, on: boolean) => {
    if (on === held.has(reason)) return;
    if (on) {
      held.add(reason);
      port.pauseHeartbeats(reason, webContentsId);
    } else {
      held.delete(reason);
      port.resumeHeartbeats(reason, webContentsId);
    }
  };
  const read = (fn: (() => boolean) | undefined) => {
    try {
      return typeof fn === 'function' ? fn.call(win) === true : false;
    } catch {
      return false;
    }
  };
  if (isListenerTarget(win)) {
    set('hidden', typeof win.isVisible === 'function' && !read(win.isVisible));
    set('minimized', read(win.isMinimized));
    listeners.on(win, 'hide', () => set('hidden', true));
    listeners.on(win, 'show', () => set('hidden', false));
    listeners.on(win, 'minimize', () => set('minimized', true));
    listeners.on(win, 'restore', () => set('minimized', false));
  }
  return { end: () => [...held].forEach((reason) => set(reason, false)) };
}

function isLoading(webContents: AdaptedWebContents): boolean {
  try {
    return typeof webContents.isLoading === 'function' && webContents.isLoading() === true;
  } catch {
    return false;
  }
}

function readIds(win: AdaptedWindow): { webContentsId: number; windowId: number } | undefined {
  try {
    const webContentsId: unknown = win.webContents.id;
    const windowId: unknown = win.id;
    if (typeof webContentsId !== 'number' || typeof windowId !== 'number' || !isListenerTarget(win.webContents)) return undefined;
    return { webContentsId, windowId };
  } catch {
    return undefined; // a getter that throws: not a window this adapter can watch
  }
}

function isGone(win: AdaptedWindow): boolean {
  try {
    return win.isDestroyed() || win.webContents.isDestroyed();
  } catch {
    return true; // Electron throws on access to a destroyed object
  }
}

function safeUrl(webContents: AdaptedWebContents): string {
  try {
    const url = webContents.getURL();
    return typeof url === 'string' ? url : '';
  } catch {
    return '';
  }
}

/**
 * `mainFrame.collectJavaScriptCallStack` when this Electron has it (33+, experimental), read at call
 * time since mainFrame changes on reload. Chromium only answers when the app enabled the feature
 * (`app.commandLine.appendSwitch('enable-features', 'DocumentPolicyIncludeJSCallStacksInCrashReports')`)
 * and the page is served with `Document-Policy: include-js-call-stacks-in-crash-reports`; otherwise
 * samples come back empty and the incident simply has no stack.
 */
function stackCollector(webContents: AdaptedWebContents): CollectStack | undefined {
  let frame: AdaptedWebContents['mainFrame'];
  try {
    frame = webContents.mainFrame;
  } catch {
    return undefined; // destroyed webContents throw on access
  }
  if (!frame || typeof frame.collectJavaScriptCallStack !== 'function') return undefined;
  return () => {
    const current = webContents.mainFrame;
    const collect = current?.collectJavaScriptCallStack;
    if (typeof collect !== 'function') return Promise.resolve(undefined);
    return collect.call(current);
  };
}

