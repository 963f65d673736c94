import { waitFor } from './wait-for.js';

/**
 * A promise whose settling a test can look at without awaiting it: for operations bounded by a
 * clock the test moves by hand ("not done while the clock stands still, done once it reaches the budget").
 */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return {
    get settled() {
      return settled;
    },
    promise,
  };
}

/** Lets every callback that is ready (settled promises, finished I/O) run; no clock moves. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits (a hang guard, not a measurement) for a tracked promise to settle, then returns its value. */
export async function settled<T>(tracked: { readonly settled: boolean; readonly promise: Promise<T> }, what: string): Promise<T> {
  await waitFor(() => tracked.settled, what, 30_000);
  return tracked.promise;
}
