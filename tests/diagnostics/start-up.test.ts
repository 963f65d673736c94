import { existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { loadedModules } from '../helpers/loaded-modules.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-start-up-').dir;
});
afterEach(() => removeDir(root));

interface StateFile {
  startup: { app_started_at_ms: number | null; renderer_ready_latency_ms: number | null };
  renderer: { last_heartbeat_at: number | null; last_ready_at: number | null };
}

const readState = (file: string): StateFile | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
};

const ownLog = (logDir: string): Array<Record<string, unknown>> => {
  if (!existsSync(logDir)) return [];
  return readdirSync(logDir)
    .filter((f) => /^codex-diag\..*\d+\.log$/.test(f))
    .flatMap((f) => readFileSync(path.join(logDir, f), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('start-up', () => {
  it("import 'codex-diag' loads no package: not zod, pino, archiver or Sentry", () => {
    const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'diagnostics', 'import-only.mjs');
    const run = loadedModules(fixture, []);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('imported\n');
    expect(run.files.filter((f) => f.split(path.sep).includes('node_modules'))).toEqual([]);
  });

  it('returns from createDiagnostics before the schema library, the state modules or pino are loaded', () => {
    const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'diagnostics', 'create-and-exit.mjs');
    const run = loadedModules(fixture, [root]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('returned\n');
    const loaded = run.files.map((f) => f.split(path.sep).join('/'));
    expect(loaded.some((f) => f.endsWith('/dist/diagnostics/service.js'))).toBe(true);
    expect(loaded.filter((f) => f.includes('/node_modules/zod/'))).toEqual([]);
    expect(loaded.filter((f) => f.includes('/dist/state/'))).toEqual([]);
    expect(loaded.filter((f) => f.includes('/dist/incidents/parse.js') || f.includes('/dist/incidents/journal.js'))).toEqual([]);
    expect(loaded.filter((f) => /\/node_modules\/(pino|pino-roll|thread-stream)\//.test(f))).toEqual([]);
  });

  it('writes what was recorded before the log and the state opened, once they open, without waiting for close', async () => {
    const logDir = path.join(root, 'logs');
    const dataDir = path.join(root, 'data');
    const diag = await createDiagnostics({ logDir, dataDir, env: {} });
    // Neither is open yet: the log dir is made and the state file read after the call returned.
    expect(existsSync(logDir)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    const startedAt = Date.now();
    diag.recordAppStarted(startedAt);
    const latency = diag.markRendererReady(7);
    expect(latency).not.toBeNull();
    diag.recordHeartbeat(7);
    const malformed = diag.recordIncident({ kind: 'no-such-kind' });

    // The log opens and writes the held records first, in order, then says it started.
    const records = await waitFor(() => {
      const found = ownLog(logDir);
      return found.some((r) => r.msg === 'diagnostics started') && found;
    }, 'the log to open');
    const messages = records.map((r) => String(r.msg));
    expect(messages.indexOf('renderer ready')).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf('renderer ready')).toBeLessThan(messages.indexOf('diagnostics started'));
    expect(records.find((r) => r.msg === 'renderer ready')).toMatchObject({ webContentsId: 7, latencyMs: latency });
    await expect(malformed).resolves.toMatchObject({ status: 'dropped', reason: 'malformed' });

    // The state opens and saves the held changes on its own schedule (debounced), before any close.
    const state = await waitFor(() => {
      const s = readState(path.join(dataDir, 'state.json'));
      return s?.renderer.last_heartbeat_at != null && s;
    }, 'the held changes in state.json');
    expect(state.startup.app_started_at_ms).toBe(startedAt);
    expect(state.startup.renderer_ready_latency_ms).toBe(latency);
    expect(diag.faults.byArea.start).toBeUndefined();
    expect((await diag.close({ timeoutMs: 10_000 })).completed).toBe(true);
    expect(diag.faults.total).toBe(1); // the malformed incident
  });

  it('applies what the app records before the state is open, in order, with the latency it answered', async () => {
    const clock = new ManualClock();
    const dataDir = path.join(root, 'data');
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir, log: false, env: {}, clock });
    const startedAt = clock.now();
    diag.recordAppStarted();
    clock.advance(1_250);
    expect(diag.markRendererReady(42)).toBe(1_250);
    clock.advance(500);
    expect(diag.markRendererReady(42)).toBe(1_250); // a second ready never overwrites the first
    for (let i = 0; i < 5_000; i++) diag.recordHeartbeat(42); // held as one: the latest
    clock.advance(10);
    diag.recordHeartbeat(42);
    // The clock is held still: close waits for start-up and the flush however long they take.
    expect((await diag.close({ timeoutMs: 60_000 })).completed).toBe(true);

    const state = readState(path.join(dataDir, 'state.json'))!;
    expect(state.startup.app_started_at_ms).toBe(startedAt);
    expect(state.startup.renderer_ready_latency_ms).toBe(1_250);
    expect(state.renderer.last_heartbeat_at).toBe(startedAt + 1_760);
    expect(diag.faults.total).toBe(0);
  });

  it('close() right after createDiagnostics waits for start-up and loses none of the records', async () => {
    const clock = new ManualClock();
    const logDir = path.join(root, 'logs');
    const diag = await createDiagnostics({ logDir, dataDir: path.join(root, 'data'), env: {}, clock, metrics: { windowMs: 1_000 } });
    clock.advance(500);
    diag.metrics.record('thread/start', 12, true);
    clock.advance(500); // a metrics report, written while the log is still opening
    const result = await diag.close({ timeoutMs: 5_000 });
    expect(result.completed).toBe(true);
    const messages = ownLog(logDir).map((r) => String(r.msg));
    expect(messages.filter((m) => m.startsWith('request metrics'))).toHaveLength(1);
    expect(messages).toContain('diagnostics started');
  });
});
