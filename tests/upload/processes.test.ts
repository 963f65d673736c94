import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAIN_LOCK_NAME, enqueueBundle, pendingItems } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { makeTestBundle } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const drainChild = path.join(root, 'tests/fixtures/upload/drain-child.mjs');
const cliMain = path.join(root, 'dist/cli/main.js');

let dir: string;
let dataDir: string;
let outboxDir: string;
let ingest: LocalIngest;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await tempDir();
  dataDir = path.join(dir, 'data');
  outboxDir = path.join(dataDir, 'outbox');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await ingest?.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

async function queueBundles(n: number) {
  const queued = [];
  for (let i = 0; i < n; i++) {
    const bundle = await makeTestBundle(dir, { lines: 30 });
    queued.push(await enqueueBundle({ outboxDir, bundlePath: bundle }));
  }
  return queued;
}

function bundleIdOf(event: Record<string, unknown>): string {
  return (event.contexts as Record<string, Record<string, unknown>>).bundle!.id as string;
}

/** `upload --json` says what the delivery budget holds back; a fresh data dir holds nothing back. */
const NOTHING_HELD_BACK = { total: 0, byReason: {}, fingerprints: [] };

describe('real processes', () => {
  it('SIGKILL mid-upload, then a restart: every bundle arrives, none with two event ids', async () => {
    // The first request is accepted by the server but answered late: the process dies before it learns.
    ingest = await startLocalIngest({ faultFor: ({ index }) => (index === 0 ? { status: 200, delayMs: 800 } : undefined) });
    const queued = await queueBundles(3);
    const first = run(drainChild, [JSON.stringify({ outboxDir, dsn: ingest.dsn })]);
    await waitFor(() => ingest.received.length >= 1, 'the first request to arrive', 10_000);
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    // The lock of the dead process is still there, and every item is still queued.
    await fsp.access(path.join(outboxDir, DRAIN_LOCK_NAME));
    expect(await pendingItems(outboxDir)).toHaveLength(3);
    await waitFor(() => ingest.envelopes.length >= 1, 'the late-answered envelope to be stored', 5_000);

    // Restart as a user would: `codex-diag upload` takes over the stale lock and sends everything now.
    const second = run(cliMain, ['upload', '--data-dir', dataDir, '--json', '--dsn', ingest.dsn]);
    const done = await second.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ sent: 3, failed: 0, pending: 0, heldBack: NOTHING_HELD_BACK });
    expect(await pendingItems(outboxDir)).toHaveLength(0);

    const events = ingest.events();
    const ids = new Set(events.map((e) => e.event_id as string));
    expect(ids).toEqual(new Set(queued.map((q) => q.eventId)));
    // A resend after the kill repeats its event_id (Sentry dedupes it); no bundle has two ids.
    const idsByBundle = new Map<string, Set<string>>();
    for (const e of events) idsByBundle.set(bundleIdOf(e), (idsByBundle.get(bundleIdOf(e)) ?? new Set()).add(e.event_id as string));
    expect(idsByBundle.size).toBe(3);
    for (const set of idsByBundle.values()) expect(set.size).toBe(1);
    expect(events).toHaveLength(4);
  }, 30_000);

  it('two processes draining at once never send an item twice', async () => {
    ingest = await startLocalIngest({ faultFor: () => ({ status: 200, delayMs: 100 }) });
    const queued = await queueBundles(6);
    const a = run(drainChild, [JSON.stringify({ outboxDir, dsn: ingest.dsn })]);
    const b = run(drainChild, [JSON.stringify({ outboxDir, dsn: ingest.dsn })]);
    const results = await Promise.all([a.exited, b.exited]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const outputs = results.map((r) => JSON.parse(r.stdout) as { sent: number; locked: boolean });
    expect(outputs[0]!.sent + outputs[1]!.sent).toBe(6);
    const ids = ingest.events().map((e) => e.event_id as string);
    expect(ids).toHaveLength(6);
    expect(new Set(ids)).toEqual(new Set(queued.map((q) => q.eventId)));
    expect(await pendingItems(outboxDir)).toHaveLength(0);
  }, 30_000);
});
