import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestBundle } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string | undefined;
afterEach(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe('Sentry loads on the first upload, not on import', () => {
  it('importing the uploader and queueing a bundle resolve no @sentry/* or archiver module; sending does', async () => {
    dir = await tempDir();
    const trace = path.join(dir, 'trace.txt');
    await fsp.writeFile(trace, '');
    const bundlePath = await makeTestBundle(dir, { lines: 5 });
    const child = spawnSync(
      process.execPath,
      [path.join(root, 'tests/fixtures/upload/lazy-child.mjs'), JSON.stringify({ outboxDir: path.join(dir, 'outbox'), bundlePath })],
      { env: { ...process.env, TRACE_FILE: trace }, encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ sent: 1 });
    const lines = (await fsp.readFile(trace, 'utf8')).trim().split('\n');
    const enqueued = lines.indexOf('--enqueued--');
    expect(lines.indexOf('--imported--')).toBe(0);
    expect(enqueued).toBe(1);
    // Sending goes through a real @sentry/node client, imported then.
    expect(lines.slice(enqueued + 1)).toEqual(expect.arrayContaining(['@sentry/node', '@sentry/core']));
  }, 30_000);
});
