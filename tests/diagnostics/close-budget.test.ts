import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import type { UploadEvent } from '../../src/diagnostics/index.js';
import { attachToApp } from '../../src/electron/index.js';
import { asApp, FakeApp } from '../electron/fakes.js';
import { isProcessAlive } from '../../src/runtime/process-tree.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { settle, settled, track } from '../helpers/settle.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

/** The close budget when createDiagnostics is given none (README's options table). */
const DEFAULT_CLOSE_BUDGET_MS = 2_000;

let root: string;
let server: Server;
const sockets = new Set<Socket>();
let port = 0;

beforeEach(async () => {
  root = makeTempDir('codex-diag-close-').dir;
  // A Sentry that accepts the connection and never answers.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise((resolve) => server.close(resolve));
  removeDir(root);
});

describe('close and the quit flush', () => {
  // close() is bounded by the service's clock, whatever the network does: these tests hold that
  // clock still (close must not finish on its own while an upload hangs) and then move it to the budget.
  it('returns within its budget while an upload hangs, and keeps the bundle queued', async () => {
    const dataDir = path.join(root, 'data');
    const clock = new ManualClock();
    const diag = await createDiagnostics({
      logDir: path.join(root, 'logs'),
      dataDir,
      log: false,
      env: {},
      clock,
      dsn: `http://publickey@127.0.0.1:${port}/7`,
      upload: { requestTimeoutMs: 60_000, startDelayMs: 0 },
    });
    const uploads: UploadEvent[] = [];
    diag.on('upload', (u) => uploads.push(u));
    const outcome = await diag.recordIncident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null });
    expect(outcome).toMatchObject({ status: 'recorded', queued: true });
    expect(uploads[0]).toMatchObject({ type: 'queued' });
    // The upload starts on a zero-delay timer of the clock; then its request hangs.
    await waitFor(() => (clock.advance(0), sockets.size > 0), 'the hanging request', 10_000);

    const app = new FakeApp();
    attachToApp(diag, asApp(app));
    app.userQuit(); // the flush holds the quit at will-quit, once the quit is certain
    await settle();
    expect(app.quitCompleted).toBe(false);
    clock.advance(DEFAULT_CLOSE_BUDGET_MS);
    await waitFor(() => app.quitCompleted, 'the app to quit', 30_000);

    // close was the quit flush: a second call returns the same result at once.
    const again = await diag.close({ timeoutMs: 10 });
    // elapsedMs is read off the service's manual clock, not the wall clock: the quit flush ended
    // exactly when the clock reached the default budget, on any machine.
    expect(again.elapsedMs).toBe(DEFAULT_CLOSE_BUDGET_MS);
    const outbox = path.join(dataDir, 'outbox');
    expect(existsSync(outbox)).toBe(true);
    expect(readdirSync(outbox).filter((f) => f.endsWith('.zip'))).toHaveLength(1);
  });

  it('honours a short explicit budget', async () => {
    const clock = new ManualClock();
    const diag = await createDiagnostics({
      logDir: path.join(root, 'logs'),
      dataDir: path.join(root, 'data'),
      log: false,
      env: {},
      clock,
      dsn: `http://publickey@127.0.0.1:${port}/7`,
      upload: { startDelayMs: 0 },
    });
    await diag.recordIncident({ kind: 'unresponsive', durationMs: 9000, url: 'app://codex/chat' });
    await waitFor(() => (clock.advance(0), sockets.size > 0), 'the hanging request', 10_000);
    const closing = track(diag.close({ timeoutMs: 300 }));
    await settle();
    expect(closing.settled).toBe(false);
    clock.advance(300);
    const result = await settled(closing, 'close at its budget');
    // Manual-clock time (see above): close ended when the clock reached its budget, not before or after.
    expect(result.elapsedMs).toBe(300);
  });

  it('close resolves while the log is busy, an upload hangs and a sidecar ignores SIGTERM; then the process exits by itself', { timeout: 300_000 }, async () => {
    const budget = 600;
    const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'sidecar', 'close-host.mjs');
    const host = spawn(process.execPath, [fixture, root, String(port), String(budget)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    host.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // 'close': the process has exited and its output is all read.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      host.once('close', (code, signal) => resolve({ code, signal })),
    );
    try {
      await waitFor(() => /^incident recorded true$/m.test(out) && /^sidecar \d+$/m.test(out) && sockets.size > 0, 'the incident, the sidecar and the hanging request', 180_000);
      host.stdin!.end('close\n');
      // The upload never answers and the sidecar ignores SIGTERM, yet close resolves; nothing (worker,
      // socket, sidecar pipes or timers) keeps the host alive after it: it exits by itself, before the
      // test's own timeout would kill it. How long close takes is measured by its clock in the test
      // above, not by the wall clock of a loaded machine.
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(out).toMatch(/^closed \d+ (true|false)$/m);
      const sidecarPid = Number(/^sidecar (\d+)$/m.exec(out)?.[1]);
      expect(isProcessAlive(sidecarPid)).toBe(false);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('keeps the host alive until close resolves, even when only unref’d timers are left', { timeout: 60_000 }, async () => {
    const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'sidecar', 'close-last.mjs');
    const host = spawn(process.execPath, [fixture, root, '300'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    host.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => host.once('close', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/^closed (true|false)\nafter close\n$/);
  });
});
