import type { Clock } from '../clock.js';
import type { HeartbeatWatchdog } from '../runtime/heartbeat-watchdog.js';
import type { ReadyGate } from '../runtime/ready-gate.js';
import { defaultRecoveryPolicy, type RecoveryPolicy } from '../runtime/recovery-policy.js';
import { defaultUnresponsiveOptions, type UnresponsiveOptions } from '../runtime/unresponsive-monitor.js';
import type { ElectronPort } from './electron-port.js';
import type { RendererRegistry } from './renderer-registry.js';
import type { ServiceReporter } from './service-reporter.js';
import type { StateUpdates } from './state-link.js';

export interface ElectronPortBindingOptions {
  clock: Clock;
  /** The `recovery` and `unresponsive` options; unset fields take the defaults. */
  recovery: Partial<RecoveryPolicy> | undefined;
  unresponsive: Partial<UnresponsiveOptions> | undefined;
  closeTimeoutMs: number;
  gate: ReadyGate;
  watchdog: HeartbeatWatchdog;
  renderers: RendererRegistry;
  state: StateUpdates;
  reporter: ServiceReporter;
  recordIncident: (input: Record<string, unknown>) => Promise<unknown>;
  setCrashDir: (dir: string) => void;
  close: (options: { timeoutMs: number }) => Promise<unknown>;
  /** True once close() began: a window that crashes after it is not reloaded either. */
  isClosing: () => boolean;
}

/** The service's side of the Electron adapter's port: what its listeners may do to the service. */
export function bindElectronPort(options: ElectronPortBindingOptions): ElectronPort {
  const { reporter, gate, watchdog, renderers } = options;
  const recovery: RecoveryPolicy = { ...defaultRecoveryPolicy, ...definedOnly(options.recovery ?? {}) };
  const unresponsive: UnresponsiveOptions = { ...defaultUnresponsiveOptions, ...definedOnly(options.unresponsive ?? {}) };
  let quitting = false;
  return {
    clock: options.clock,
    recovery,
    unresponsive,
    quitFlushTimeoutMs: options.closeTimeoutMs,
    recordIncident: options.recordIncident,
    setCrashDir: (dir) => reporter.guard('native', () => options.setCrashDir(dir)),
    recordRecoveryAttempt: (attempt) => {
      options.state.change('state', (store) => store.recordRecoveryAttempt(attempt.at));
      reporter.log('warn', 'renderer reload', { ...attempt });
    },
    recoveryReset: () => options.state.change('state', (store) => store.resetRecoveryAttempts()),
    recoveryGaveUp: (info) => reporter.log('error', 'renderer recovery gave up', { ...info }),
    rendererGone: (id) => {
      gate.markNotReady(id);
      watchdog.forget(id);
    },
    rendererDestroyed: (id) => {
      gate.forget(id);
      watchdog.forget(id);
      renderers.forget(id);
    },
    registerRenderer: (id, renderer) => renderers.register(id, renderer),
    setQuitting: (value) => {
      quitting = value;
    },
    isRendererAttached: (id) => renderers.has(id),
    pauseHeartbeats: (reason, id) => watchdog.pause(reason, id),
    resumeHeartbeats: (reason, id) => watchdog.resume(reason, id),
    // close() is the flush on quit: a window that crashes after it is not reloaded either.
    isQuitting: () => quitting || options.isClosing(),
    close: options.close,
    reportFault: (where, error) => reporter.fault(where, error),
    reportMalformed: (where, detail) => reporter.malformed(where, `${where}: malformed payload: ${detail}`),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
