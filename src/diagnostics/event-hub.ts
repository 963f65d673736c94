import { reportSafely } from '../safe-call.js';

/**
 * A typed event hub whose listeners cannot hurt the emitter: a listener that throws, or an async
 * listener whose promise rejects, is reported and the others still run. (Node's EventEmitter would
 * rethrow into whoever emitted, here an Electron event or a timer; an ignored rejection would be an
 * unhandledRejection, which ends a Node process by default.)
 */
export class EventHub<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  constructor(private readonly onListenerError: (event: keyof Events, error: unknown) => void) {}

  on<E extends keyof Events>(event: E, listener: (value: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (value: never) => void);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: (value: Events[E]) => void): void {
    this.listeners.get(event)?.delete(listener as (value: never) => void);
  }

  emit<E extends keyof Events>(event: E, value: Events[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        const result: unknown = (listener as (value: Events[E]) => unknown)(value);
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.report(event, error));
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  private report(event: keyof Events, error: unknown): void {
    reportSafely((e) => this.onListenerError(event, e), error);
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
