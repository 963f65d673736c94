import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh empty directory under the OS temp dir, with a `cleanup` that removes it and all inside
 * (`removeDir`: a `close()` that kept its budget may leave a write in flight).
 */
export function makeTempDir(prefix = 'codex-diag-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => removeDir(dir) };
}

/** Removes a test's directory tree, retried while a write the code under test left in flight adds to it (ENOTEMPTY). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

/** The path of a fresh empty directory under the OS temp dir (the caller removes it). */
export async function tempDir(prefix = 'codex-diag-test-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}
