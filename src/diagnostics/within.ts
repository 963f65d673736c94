import type { Clock } from '../clock.js';

/** The promise's value, or undefined once `ms` pass on the clock first (the promise runs on). */
export function within<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: unknown;
  const timeout = new Promise<undefined>((resolve) => {
    timer = clock.setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clock.clearTimeout(timer));
}
