/**
 * Polls `probe` until it returns something other than undefined/false and resolves with that value,
 * or fails after `timeoutMs` (tests poll with a deadline instead of sleeping a fixed time).
 * `what` names the awaited thing in the timeout error; left out, the probe's source stands in.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what = String(probe),
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
