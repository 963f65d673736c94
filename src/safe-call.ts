/** A host's error sink; one that throws is dropped, since there is nothing safer to hand its error to. */
export function reportSafely<E>(onError: ((error: E) => void) | undefined, error: E): void {
  try {
    onError?.(error);
  } catch {
    // the error sink itself failed: drop it rather than throw into the caller's loop
  }
}

/**
 * Calls a host's callback (when given); what it throws goes to onError instead of up the caller's
 * stack, so library code never throws into the host app from an event handler.
 */
export function safeCall<A extends unknown[]>(
  callback: ((...args: A) => void) | undefined,
  onError: ((error: unknown) => void) | undefined,
  ...args: A
): void {
  if (!callback) return;
  try {
    callback(...args);
  } catch (error) {
    reportSafely(onError, error);
  }
}
