import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = path.join(here, '..', 'fixtures', 'minidump');

/** Dumps Debian's Chromium wrote (made by tests/fixtures/minidump/make-fixtures.mjs, host details replaced). */
export const FIXTURES = {
  renderer: path.join(fixtureDir, 'renderer.dmp'),
  gpu: path.join(fixtureDir, 'gpu.dmp'),
};

/** Breakpad's minidump_stackwalk, as the npm `minidump` package ships it prebuilt (Linux x64 here). */
export const STACKWALK = (() => {
  try {
    const root = path.dirname(createRequire(import.meta.url).resolve('minidump/package.json'));
    return path.join(root, 'bin', `${process.platform}-${process.arch}`, 'minidump_stackwalk');
  } catch {
    return '';
  }
})();

export const hasStackwalk = (() => {
  if (!STACKWALK || !existsSync(STACKWALK)) return false;
  try {
    execFileSync(STACKWALK, ['--help'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // --help exits 1 after printing usage; only a binary that cannot start at all is missing.
    return (error as { status?: number | null }).status !== null && (error as { status?: number }).status !== undefined;
  }
})();

/** The stack walk in Breakpad's machine-readable form, without symbols. */
export function stackwalk(file: string): string {
  return execFileSync(STACKWALK, ['-m', file], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).toString();
}

export function stackwalkModules(file: string): { modules: { file: string; debugId: string }[]; crash: { reason: string; address: string } } {
  const lines = stackwalk(file).split('\n');
  const modules = lines.filter((l) => l.startsWith('Module|')).map((l) => {
    const f = l.split('|');
    return { file: f[1]!, debugId: f[4]! };
  });
  const crash = lines.find((l) => l.startsWith('Crash|'))!.split('|');
  return { modules, crash: { reason: crash[1]!, address: crash[2]! } };
}
