/**
 * Loads the schema library (zod) in steps through its public entry points, each evaluated in its own
 * turn of the event loop. Imported as one graph, its hundred-odd modules are evaluated in one
 * synchronous slice, the longest the service would hold the host's loop at start-up (100 ms and more
 * on a busy 2-core machine); in steps the longest slice is a fraction of that. A step that fails is
 * left to the import that needs the library, which reports it.
 */
export async function loadSchemaLibraryInSteps(): Promise<void> {
  try {
    await import('zod/v4/locales');
    await import('zod/v4/core');
    await import('zod');
  } catch {
    // The state store's own import of zod loads it (or fails and is a counted fault there).
  }
}
