import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs `node <script> ...args` with a recorder preloaded and returns the files it loaded: every
 * ES module (a load hook) and every CommonJS module (require.cache at exit), as file paths.
 */
export function loadedModules(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): { files: string[]; status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-modules-'));
  const out = path.join(dir, 'loaded.txt');
  try {
    const result = spawnSync(process.execPath, ['--import', moduleRecorder(out), script, ...args], { encoding: 'utf8', env });
    const text = readFileSync(out, 'utf8');
    const files = [...new Set(text.split('\n').filter((l) => l.startsWith('/')))].sort();
    return { files, status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A data: URL for `node --import` that appends each loaded file's path to `out`. */
export function moduleRecorder(out: string): string {
  const hooks = `import { appendFileSync } from 'node:fs'; import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  const result = await next(url, context);
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, fileURLToPath(url) + '\\n');
  return result;
}`;
  const preload = `import { register, createRequire } from 'node:module'; import { appendFileSync } from 'node:fs';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});
process.on('exit', () => appendFileSync(${JSON.stringify(out)}, Object.keys(createRequire('/').cache).join('\\n') + '\\n'));`;
  return `data:text/javascript,${encodeURIComponent(preload)}`;
}
