import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerBundleRunner, type WorkerLike } from '../../src/bundle/bundle-worker-runner.js';
import { DiagnosticsService } from '../../src/diagnostics/service.js';
import type { CloseResult } from '../../src/diagnostics/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: root, cleanup } = makeTempDir('codex-diag-bundle-worker-'));
  mkdirSync(path.join(root, 'logs'), { recursive: true });
  writeFileSync(path.join(root, 'logs', 'app.1.log'), Array.from({ length: 50 }, (_, i) => `{"level":30,"time":${i},"msg":"line ${i}"}`).join('\n') + '\n');
});
afterEach(() => cleanup());

const options = (extra: Record<string, unknown> = {}) => ({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, ...extra });

/** A worker that starts and then never answers: a bundle that hangs. */
function silentWorker(): WorkerLike & { terminated: boolean } {
  return {
    terminated: false,
    postMessage: () => undefined,
    on: () => undefined,
    unref: () => undefined,
    terminate() {
      this.terminated = true;
      return Promise.resolve(1);
    },
  };
}

describe('the service builds bundles in a worker thread', () => {
  it('starts the worker on the first admitted incident, not before, and ends it on close', async () => {
    const runner = new WorkerBundleRunner();
    const diag = await DiagnosticsService.open(options(), { bundleRunner: runner });
    expect(runner.running).toBe(false);
    // Ignored by policy: no bundle, no worker.
    await diag.recordIncident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 0, signal: null });
    expect(runner.startedCount).toBe(0);

    const outcome = await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' });
    expect(outcome.status === 'recorded' && outcome.bundle).toBeTruthy();
    expect(outcome.status === 'recorded' && existsSync(outcome.bundle!.path)).toBe(true);
    expect(outcome.status === 'recorded' && outcome.bundle!.lines).toBe(50);
    expect(runner.running).toBe(true);
    expect(runner.fellBack).toBe(false);

    expect((await diag.close()).completed).toBe(true);
    expect(runner.running).toBe(false);
    expect(runner.startedCount).toBe(1);
    expect(diag.faults.total).toBe(0);
  });

  it('still writes the bundle when no worker can start', async () => {
    const runner = new WorkerBundleRunner({
      startWorker: () => {
        throw new Error('no worker threads here');
      },
      onFallback: () => undefined,
    });
    const diag = await DiagnosticsService.open(options(), { bundleRunner: runner });
    const outcome = await diag.recordIncident({ kind: 'render-process-gone', reason: 'oom', exitCode: -536870904, url: 'app://codex/chat/1' });
    expect(outcome.status === 'recorded' && outcome.bundle?.lines).toBe(50);
    expect(runner.fellBack).toBe(true);
    await diag.close();
  });

  it('keeps its close budget on a fake clock while the worker never answers', async () => {
    const clock = new ManualClock();
    const worker = silentWorker();
    const runner = new WorkerBundleRunner({ startWorker: () => worker });
    const diag = await DiagnosticsService.open(options({ clock }), { bundleRunner: runner });
    const incident = diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/2' });
    // Let the job reach the (silent) worker.
    await waitFor(() => runner.running, 'the job to reach the worker', 30_000);

    const budget = 1_000;
    let result: CloseResult | undefined;
    void diag.close({ timeoutMs: budget }).then((r) => (result = r));
    let advanced = 0;
    while (!result && advanced < 10 * budget) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(10);
      advanced += 10;
    }
    expect(result).toBeDefined();
    // Manual-clock time: the clock moved in 10 ms steps, so close ended within its budget on that clock.
    expect(result!.elapsedMs).toBeLessThanOrEqual(budget);
    expect(worker.terminated).toBe(true);
    // The incident whose bundle never came resolves (never rejects) once close ended the worker.
    await expect(incident).resolves.toMatchObject({ status: 'recorded', bundle: null, queued: false });
  });
});
