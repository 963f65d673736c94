import type { CrashReporterStartOptions, Event } from 'electron';
import { electronPortOf } from '../diagnostics/electron-port.js';
import type { HasElectronPort } from '../diagnostics/electron-port.js';
import { startCrashReporter, type CrashReporterLike } from './crash-reporter.js';
import { childProcessAction, childProcessPolicyWith, rendererGonePolicyWith, rendererGoneRule, type ChildProcessPolicy, type RendererGonePolicy } from './gone-policy.js';
import { readChildProcessGone, readRenderProcessGone } from './incident-from-electron.js';
import { enableJsCallStacks, type SessionWithWebRequest } from './js-call-stacks.js';
import { isListenerTarget, ListenerSet } from './listeners.js';
import { watchPower, type PowerEventSource } from './power-events.js';
import { watchQuit } from './quit-flush.js';
import type { AdaptedApp, Detach } from './types.js';

export interface AttachAppOptions {
  /** Electron's `powerMonitor`: heartbeats pause while the machine sleeps or the screen is locked. */
  powerMonitor?: PowerEventSource;
  /** Electron's `crashReporter`: started (never uploading by itself) so crashes leave minidumps. */
  crashReporter?: CrashReporterLike;
  /** Passed to `crashReporter.start` (`productName`, `globalExtra`, ...); `uploadToServer` is always false. */
  crashReporterOptions?: Partial<CrashReporterStartOptions>;
  /**
   * JS call stacks of hung renderers: the `enable-features` switch (needs attachToApp before `ready`)
   * and the Document-Policy header on frame responses of these sessions (`session.defaultSession`).
   */
  jsCallStacks?: { sessions?: readonly SessionWithWebRequest[] };
  /** `false`: do not tell diagnostics where the app's crash dumps are (no dump matching, no dir hygiene). */
  minidumps?: boolean;
  /** Per-reason policy for `child-process-gone` (see gone-policy.ts for the defaults). */
  childProcessGone?: Partial<ChildProcessPolicy>;
  /** Per-reason policy for renderers of webContents no attachToWindow watches (other windows, views, webviews). */
  renderProcessGone?: Partial<RendererGonePolicy>;
}

/**
 * Watches the app: `child-process-gone` (GPU, utility and other non-renderer processes),
 * `render-process-gone` of webContents no window attachment covers, power events, and the quit,
 * where diagnostics get one bounded flush (see quit-flush.ts).
 */
export function attachToApp(diag: HasElectronPort, app: AdaptedApp, options: AttachAppOptions = {}): Detach {
  const port = electronPortOf(diag);
  if (!isListenerTarget(app)) {
    port.reportMalformed('electron:attachToApp', 'expected Electron’s app (an object with on/off)');
    return () => undefined;
  }
  const listeners = new ListenerSet(port);
  const childPolicy = childProcessPolicyWith(options.childProcessGone);
  const rendererPolicy = rendererGonePolicyWith(options.renderProcessGone);
  let detached = false;
  const record = (incident: Record<string, unknown>) =>
    port.recordIncident(incident).catch((error: unknown) => port.reportFault('electron:recordIncident', error));
  const occurredAt = () => new Date(port.clock.now()).toISOString();

  if (options.crashReporter) startCrashReporter(options.crashReporter, options.crashReporterOptions ?? {}, port);
  if (options.minidumps !== false) linkCrashDumps(app, port);
  if (options.jsCallStacks) enableJsCallStacks(app, options.jsCallStacks.sessions ?? [], port);
  if (options.powerMonitor && isListenerTarget(options.powerMonitor)) watchPower(options.powerMonitor, port, listeners);

  listeners.on(app, 'child-process-gone', (_event: Event, details: unknown) => {
    const parsed = readChildProcessGone(details);
    if (!parsed.ok) return port.reportMalformed('electron:child-process-gone', parsed.problem);
    if (childProcessAction(childPolicy, parsed.value.reason, port.isQuitting()) === 'ignore') return;
    void record({ kind: 'child-process-gone', ...parsed.value, occurredAt: occurredAt() });
  });

  listeners.on(app, 'render-process-gone', (_event: Event, webContents: unknown, details: unknown) => {
    const id = webContentsId(webContents);
    // An attached window records its own crash (and recovers it): once is enough.
    if (id !== undefined && port.isRendererAttached(id)) return;
    const parsed = readRenderProcessGone(details);
    if (!parsed.ok) return port.reportMalformed('electron:render-process-gone', parsed.problem);
    if (!rendererGoneRule(rendererPolicy, parsed.value.reason, false).incident) return;
    const incident: Record<string, unknown> = { kind: 'render-process-gone', ...parsed.value, url: urlOf(webContents), occurredAt: occurredAt(), source: 'app' };
    if (id !== undefined) incident.webContentsId = id;
    void record(incident);
  });

  watchQuit(app, port, listeners);

  return () => {
    if (detached) return;
    detached = true;
    listeners.removeAll();
  };
}

/** Tells diagnostics the crash dumps dir; an app without `getPath` (or one that throws) is left alone. */
function linkCrashDumps(app: AdaptedApp, port: ReturnType<typeof electronPortOf>): void {
  try {
    const dir: unknown = app.getPath?.('crashDumps');
    if (typeof dir === 'string' && dir !== '') port.setCrashDir?.(dir);
  } catch (error) {
    port.reportFault('electron:crashDumps', error);
  }
}

function webContentsId(webContents: unknown): number | undefined {
  try {
    const id: unknown = (webContents as { id?: unknown } | null)?.id;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

function urlOf(webContents: unknown): string {
  try {
    const url: unknown = (webContents as { getURL?: () => unknown } | null)?.getURL?.();
    return typeof url === 'string' ? url : '';
  } catch {
    return '';
  }
}

