import { performance } from 'node:perf_hooks';

/**
 * Called between units of work; returns a promise when the current slice is used up, so a long
 * loop on the main thread gives the event loop a turn every `sliceMs` instead of holding it.
 */
export type Pacer = () => Promise<void> | undefined;

/** A pacer that yields through setImmediate (after I/O callbacks) once `sliceMs` have passed. */
export function timeSlicePacer(sliceMs = 4, now: () => number = () => performance.now()): Pacer {
  let sliceStart = now();
  return () => {
    if (now() - sliceStart < sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        sliceStart = now();
        resolve();
      }),
    );
  };
}
