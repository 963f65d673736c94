import { safeCall } from '../safe-call.js';
import type { ElectronPort } from '../diagnostics/electron-port.js';

/** The part of Node's EventEmitter the adapter uses (Electron's App, BrowserWindow and WebContents have it). */
export interface ListenerTarget {
  // `never` parameters accept any overload set (Electron's typed `on`, or EventEmitter's).
  on(event: never, listener: never): unknown;
  off(event: never, listener: never): unknown;
}

/** Whether `value` can take listeners (a hostile or already-destroyed object may not). */
export function isListenerTarget(value: unknown): value is ListenerTarget {
  try {
    const target = value as Partial<LooseEmitter> | null | undefined;
    return typeof target?.on === 'function' && typeof target.off === 'function';
  } catch {
    return false;
  }
}

type LooseEmitter = {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
};

/**
 * Adds listeners and remembers them, so detaching removes exactly what was added (no patching
 * of `emit`). Every listener is guarded: a fault is reported through the port, never thrown
 * into Electron's event loop.
 */
export class ListenerSet {
  private readonly added: Array<{ target: ListenerTarget; event: string; listener: (...args: never[]) => void }> = [];

  constructor(private readonly port: ElectronPort) {}

  on<A extends unknown[]>(target: ListenerTarget, event: string, handler: (...args: A) => void): void {
    const onError = (error: unknown) => this.port.reportFault(`electron:${event}`, error);
    const listener = (...args: A) => safeCall(handler, onError, ...args);
    (target as unknown as LooseEmitter).on(event, listener as unknown as (...args: never[]) => void);
    this.added.push({ target, event, listener: listener as unknown as (...args: never[]) => void });
  }

  removeAll(): void {
    for (const { target, event, listener } of this.added.splice(0)) {
      try {
        (target as unknown as LooseEmitter).off(event, listener);
      } catch (error) {
        this.port.reportFault(`electron:off:${event}`, error);
      }
    }
  }
}
