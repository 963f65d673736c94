/**
 * `make` called on the first call and its promise kept for every later one; a promise that rejects is
 * forgotten, so the next call tries again (an import, a file read, a build that may fail once).
 */
export function onceUntilFailure<T>(make: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    kept ??= make().catch((error: unknown) => {
      kept = undefined;
      throw error;
    });
    return kept;
  };
}
