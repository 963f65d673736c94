import type { Event } from 'electron';
import { readChildProcessGone } from './incident-from-electron.js';
import { isListenerTarget, ListenerSet } from './listeners.js';
import { electronPortOf } from '../diagnostics/electron-port.js';
import type { HasElectronPort } from '../diagnostics/electron-port.js';
import type { AdaptedApp, Detach } from './types.js';

/**
 * Watches the app: `child-process-gone` (GPU, utility and other non-renderer processes) and
 * `before-quit`, where diagnostics get one bounded flush.
 *
 * Quit handling follows what VS Code's lifecycle service does with `will-quit`
 * (src/vs/platform/lifecycle/electron-main/lifecycleMainService.ts): the first quit is held
 * with `preventDefault()`, the flush runs against a deadline, then `app.quit()` is called again
 * and this handler lets the second `before-quit` through. The deadline is enforced twice (inside
 * `close` and by a timer here), so a hung network never keeps the app open past its budget.
 * The flush is `diag.close()`: if a window then vetoes the quit (beforeunload), the app runs on
 * with diagnostics closed. Apps using `autoUpdater.quitAndInstall()` should `await diag.close()`
 * before calling it, since a held quit there would cancel the install.
 */
export function attachToApp(diag: HasElectronPort, app: AdaptedApp): Detach {
  const port = electronPortOf(diag);
  if (!isListenerTarget(app)) {
    port.reportMalformed('electron:attachToApp', 'expected Electron’s app (an object with on/off)');
    return () => undefined;
  }
  const listeners = new ListenerSet(port);
  let phase: 'running' | 'flushing' | 'flushed' = 'running';
  let detached = false;

  listeners.on(app, 'child-process-gone', (_event: Event, details: unknown) => {
    const parsed = readChildProcessGone(details);
    if (!parsed.ok) return port.reportMalformed('electron:child-process-gone', parsed.problem);
    port
      .recordIncident({ kind: 'child-process-gone', ...parsed.value, occurredAt: new Date(port.clock.now()).toISOString() })
      .catch((error: unknown) => port.reportFault('electron:recordIncident', error));
  });

  listeners.on(app, 'before-quit', (event: Event) => {
    port.markQuitting();
    if (phase === 'flushed') return;
    preventQuit(event);
    if (phase === 'flushing') return; // a second quit while flushing waits for the same flush
    phase = 'flushing';
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
      port.reportFault('electron:before-quit', error);
      flushing = Promise.resolve();
    }
    flushing.then(quitNow, (error: unknown) => {
      port.reportFault('electron:before-quit', error);
      quitNow();
    });
  });

  return () => {
    if (detached) return;
    detached = true;
    listeners.removeAll();
  };
}

function preventQuit(event: Event): void {
  if (event && typeof event.preventDefault === 'function') event.preventDefault();
}
