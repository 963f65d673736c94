import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * Mounts a small tmpfs at `dir` (read-only, or of `sizeKiB`), for real EROFS and ENOSPC. Needs root
 * and mount rights; false when this machine does not allow it (the tests that need it are skipped).
 */
export function mountTmpfs(dir: string, options: { readOnly?: boolean; sizeKiB?: number }): boolean {
  mkdirSync(dir, { recursive: true });
  const flags = [`size=${options.sizeKiB ?? 64}k`, ...(options.readOnly ? ['ro'] : [])].join(',');
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', flags, 'tmpfs', dir], { stdio: 'ignore' });
  return result.status === 0;
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Whether tmpfs mounts work here at all (probed once per test file). */
export function canMountTmpfs(probeDir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const ok = mountTmpfs(probeDir, { sizeKiB: 16 });
  if (ok) unmount(probeDir);
  return ok;
}

/** Makes a tmpfs mounted with mountTmpfs read-only, files and all. */
export function remountReadOnly(dir: string): boolean {
  return spawnSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' }).status === 0;
}
