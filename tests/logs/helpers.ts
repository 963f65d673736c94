import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/logs');
export const repoRoot = path.resolve(fixturesDir, '../../..');

/** Runs the real pino-roll writer fixture in a child process (so the worker thread is real). */
export function writeRolling(
  logDir: string,
  opts: { lines: number; size: string; limit?: number; pauseEvery?: number; flushAtPause?: boolean },
): Promise<void> {
  const args = [
    path.join(fixturesDir, 'write-rolling.mjs'),
    logDir,
    String(opts.lines),
    opts.size,
    String(opts.limit ?? 0),
    String(opts.pauseEvery ?? 50),
    opts.flushAtPause ? '1' : '0',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && out.includes('done')) resolve();
      else reject(new Error(`writer exited ${code}: ${err}`));
    });
  });
}

/** The message the fixture writes for record `i`. */
export function fixtureMessage(i: number): string {
  return `line ${i} ünïcödé 日本語 ${'x'.repeat(i % 40)}`;
}
