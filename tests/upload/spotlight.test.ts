import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { drainOutbox, enqueueBundle } from '../../src/upload/index.js';
import { makeTestBundle } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const spotlightBin = path.join(root, 'node_modules/.bin/spotlight');

let spotlight: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (spotlight && spotlight.exitCode === null) {
    const exited = new Promise((r) => spotlight!.once('close', r));
    spotlight.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000).unref())]);
    if (spotlight.exitCode === null) spotlight.kill('SIGKILL');
  }
  spotlight = undefined;
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

/** Reads Spotlight's event stream (SSE) until `match` appears, or fails after the deadline. */
function readStreamUntil(port: number, match: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const req = http.get({ host: '127.0.0.1', port, path: '/stream?client=codex-diag-test', headers: { Accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        seen += chunk;
        if (seen.includes(match)) {
          clearTimeout(timer);
          req.destroy();
          resolve(seen);
        }
      });
    });
    req.on('error', (error) => {
      if (!seen.includes(match)) reject(error);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`Spotlight's stream did not show ${match} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

describe('Spotlight (Sentry’s local sidecar) as a real receiver', () => {
  it('accepts a bundle’s envelope and shows the event on its stream', async () => {
    dir = await tempDir();
    spotlight = spawn(spotlightBin, ['server', '-p', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    spotlight.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    spotlight.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const port = await waitFor(() => Number(/listening on (\d+)/.exec(output)?.[1]) || undefined, `Spotlight to listen (output: ${output})`, 20_000);
    await waitFor(
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          return res.ok;
        } catch {
          return false;
        }
      }, 'Spotlight /health', 10_000);

    const bundle = await makeTestBundle(dir, { lines: 120, lineBytes: 300 });
    const outboxDir = path.join(dir, 'outbox');
    const { eventId } = await enqueueBundle({ outboxDir, bundlePath: bundle });
    const result = await drainOutbox({ outboxDir, dsn: `http://spotlight@127.0.0.1:${port}/1`, deadlineMs: 10_000 });
    expect(result.results[0]).toMatchObject({ outcome: 'sent', status: 200, eventId });
    expect(result).toMatchObject({ sent: 1, pending: 0 });

    // Read it back: Spotlight replays what it holds to a new stream subscriber.
    const stream = await readStreamUntil(port, eventId, 10_000);
    expect(stream).toContain('event: application/x-sentry-envelope');
    expect(stream).toContain('Renderer crashed (oom) at /chat/:id');
    expect(stream).toMatch(/"diag\.fingerprint":"fp1-[0-9a-f]{16}"/);
  }, 40_000);
});
