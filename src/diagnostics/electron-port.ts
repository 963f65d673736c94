import type { Clock } from '../clock.js';
import type { RecoveryAttempt } from '../runtime/recovery-controller.js';
import type { RecoveryPolicy } from '../runtime/recovery-policy.js';
import type { UnresponsiveOptions } from '../runtime/unresponsive-monitor.js';

/**
 * The narrow interface the Electron adapter needs from a diagnostics service. A diagnostics
 * object carries it under a well-known symbol, so the adapter's needs do not widen the public
 * API; `Symbol.for` keeps it one symbol even if two copies of the package are loaded.
 */
export const ELECTRON_PORT: unique symbol = Symbol.for('codex-diag.electron-port') as never;

export interface ElectronPort {
  readonly clock: Clock;
  readonly recovery: RecoveryPolicy;
  readonly unresponsive: UnresponsiveOptions;
  /** Budget of the flush on quit. */
  readonly quitFlushTimeoutMs: number;
  /** Resolves whatever happens (a bad payload is a counted drop). */
  recordIncident(input: Record<string, unknown>): Promise<unknown>;
  /** The app's crash dumps dir (`app.getPath('crashDumps')`): dumps are matched to incidents and the dir kept bounded. */
  setCrashDir?(dir: string): void;
  /** A reload was performed (state: renderer.recovery_attempts, last_recovery_at). */
  recordRecoveryAttempt(attempt: RecoveryAttempt): void;
  /** A reloaded renderer stayed up: the recovery count starts over. */
  recoveryReset(webContentsId: number): void;
  /** Recovery reached its bound and left the window as it is. */
  recoveryGaveUp(info: { webContentsId: number; attempts: number; windowMs: number; reason: string }): void;
  /** The renderer went away but its window lives on: hold its messages until it is ready again. */
  rendererGone(webContentsId: number): void;
  /** The webContents is destroyed for good. */
  rendererDestroyed(webContentsId: number): void;
  /**
   * Makes a renderer reachable by `send` and lets incidents detected elsewhere (heartbeats) name
   * its URL and window; detaches an earlier registration of the same id. Returns an unregister.
   */
  registerRenderer(webContentsId: number, renderer: RegisteredRenderer): () => void;
  /**
   * A quit began (`before-quit`) or was cancelled (an app handler or a window's `beforeunload`):
   * while quitting, crashed renderers are not reloaded.
   */
  setQuitting(quitting: boolean): void;
  isQuitting(): boolean;
  /** Whether attachToWindow watches this webContents (the app-level events skip those). */
  isRendererAttached(webContentsId: number): boolean;
  /** Heartbeat silence stops counting while `reason` holds, for all renderers or one. */
  pauseHeartbeats(reason: string, webContentsId?: number): void;
  resumeHeartbeats(reason: string, webContentsId?: number): void;
  /** Bounded flush; must settle within `timeoutMs`. */
  close(options: { timeoutMs: number }): Promise<unknown>;
  /** A handler failed: logged and counted, never rethrown. */
  reportFault(where: string, error: unknown): void;
  /** An event arrived with a payload of the wrong shape: counted, never thrown. */
  reportMalformed(where: string, detail: string): void;
}

export interface RegisteredRenderer {
  describe(): { url: string; windowId: number };
  /** Electron: `webContents.send`. */
  send(channel: string, payload: unknown): void;
  /**
   * Removes the adapter that registered it. Attaching the same webContents again replaces the
   * earlier attachment (two would record every crash twice and reload twice).
   */
  detach?(): void;
}

export interface HasElectronPort {
  readonly [ELECTRON_PORT]: ElectronPort;
}

export function electronPortOf(diag: HasElectronPort): ElectronPort {
  const port = (diag as Partial<HasElectronPort> | null | undefined)?.[ELECTRON_PORT];
  if (!port) throw new TypeError('codex-diag/electron: expected the object createDiagnostics() returned');
  return port;
}
