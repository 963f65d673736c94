import type { Event } from 'electron';
import type { ElectronPort } from '../diagnostics/electron-port.js';
import type { ListenerSet } from './listeners.js';
import type { AdaptedApp } from './types.js';

/**
 * The flush on quit, at `will-quit`: Electron emits it once every window has closed, so the quit is
 * certain there (the Sentry Electron SDK flushes at the same point). `before-quit` comes before the
 * windows close, and a quit can still be cancelled after it: by the app's own `before-quit` handler
 * (`preventDefault`) or by a window's `beforeunload` (see attachToWindow's `will-prevent-unload`).
 * `before-quit` therefore only marks the app as quitting (no crash reloads while windows close), and
 * a cancelled quit clears that mark again.
 *
 * At `will-quit` the quit is held once (`preventDefault`), `close()` runs against its budget, then
 * `app.quit()` is called again and the second `will-quit` goes through. The budget is enforced twice
 * (inside `close` and by a timer here), so a hung network never keeps the app open past it.
 */
export function watchQuit(app: AdaptedApp, port: ElectronPort, listeners: ListenerSet): void {
  let phase: 'running' | 'flushing' | 'flushed' = 'running';

  listeners.on(app, 'before-quit', (event: Event) => {
    if (phase !== 'running') return;
    port.setQuitting(true);
    // Microtasks run after every listener of this emit: by then the app's own handler has had its say.
    queueMicrotask(() => {
      if (phase === 'running' && wasPrevented(event)) port.setQuitting(false);
    });
  });

  listeners.on(app, 'will-quit', (event: Event) => {
    if (phase === 'flushed') return;
    if (phase === 'running' && wasPrevented(event)) {
      // Someone before us cancelled the quit: there is nothing to flush for.
      port.setQuitting(false);
      return;
    }
    preventQuit(event);
    if (phase === 'flushing') return; // a second quit while flushing waits for the same flush
    phase = 'flushing';
    port.setQuitting(true);
    const budget = port.quitFlushTimeoutMs;
    let backstop: unknown;
    const quitNow = () => {
      if (phase === 'flushed') return;
      phase = 'flushed';
      port.clock.clearTimeout(backstop);
      try {
        app.quit();
      } catch (error) {
        port.reportFault('electron:quit', error);
      }
    };
    backstop = port.clock.setTimeout(quitNow, budget);
    let flushing: Promise<unknown>;
    try {
      flushing = port.close({ timeoutMs: budget });
    } catch (error) {
      port.reportFault('electron:will-quit', error);
      flushing = Promise.resolve();
    }
    flushing.then(quitNow, (error: unknown) => {
      port.reportFault('electron:will-quit', error);
      quitNow();
    });
  });
}

/**
 * A window's `beforeunload` asked to stay: unless an app handler of `will-prevent-unload` overrides it
 * (`preventDefault` there lets the unload go on), the window stays and the quit is cancelled.
 */
export function onWillPreventUnload(port: ElectronPort, event: Event): void {
  queueMicrotask(() => {
    if (!wasPrevented(event) && port.isQuitting()) port.setQuitting(false);
  });
}

function wasPrevented(event: Event): boolean {
  try {
    return event?.defaultPrevented === true;
  } catch {
    return false;
  }
}

function preventQuit(event: Event): void {
  if (event && typeof event.preventDefault === 'function') event.preventDefault();
}
