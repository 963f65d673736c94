import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleJob } from '../../src/bundle/bundle-job.js';
import { MainThreadBundleRunner, type BundleRunner } from '../../src/bundle/bundle-runner.js';
import { bundleWorkerEntry, WorkerBundleRunner } from '../../src/bundle/bundle-worker-runner.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const NOW = Date.UTC(2026, 10, 21, 1, 2, 3);
const USER = 'jdoe';
const HOME = `/home/${USER}`;
let tmp: ReturnType<typeof makeTempDir>;
const runners: BundleRunner[] = [];
beforeEach(() => {
  tmp = makeTempDir('codex-diag-runner-');
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  tmp.cleanup();
});

function track<R extends BundleRunner>(runner: R): R {
  runners.push(runner);
  return runner;
}

/** A log dir of pino lines naming the user on every line, with a secret now and then. */
function writeLogs(lines: number): string {
  const logDir = path.join(tmp.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const text = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      level: 30,
      time: NOW - 10_000 + i,
      pid: 7,
      msg: `opened ${HOME}/src/project-${i}/file.ts for ${USER}`,
      ...(i % 50 === 0 ? { authorization: `Bearer sk-live-${'a1b2'.repeat(8)}` } : {}),
    }),
  ).join('\n');
  writeFileSync(path.join(logDir, 'app.1.log'), `${text}\n`);
  return logDir;
}

function job(logDir: string, outDir: string, overrides: Partial<BundleJob> = {}): BundleJob {
  return {
    logDir,
    bundlesDir: outDir,
    bounds: { maxLines: 1000 },
    redaction: { homedir: HOME, username: USER },
    incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1', occurredAt: NOW - 5000 },
    fingerprint: { fingerprint: 'fp1-0123456789abcdef', components: ['render-process-gone', 'crashed'], title: 'renderer crashed' },
    state: { version: 3, user: HOME },
    app: { name: 'Codex', version: '26.1.0' },
    system: { os: 'linux', osType: 'Linux', release: '6.1.0', arch: 'x64', totalMemoryBytes: 1, freeMemoryBytes: 1, cpuCount: 2, node: '20.20.2', app: { name: 'Codex', version: '26.1.0' }, appVersion: '26.1.0' },
    suppressedCount: 2,
    createdAt: NOW,
    bundleId: '00000000-0000-4000-8000-000000000001',
    ...overrides,
  };
}

describe('bundle runners', () => {
  it('the worker and the main-thread fallback write the same bytes for the same job', async () => {
    const logDir = writeLogs(1_500);
    const worker = track(new WorkerBundleRunner());
    // A zero slice yields before every line: pacing must not change a byte.
    const main = track(new MainThreadBundleRunner(0));
    const a = await worker.run(job(logDir, path.join(tmp.dir, 'a')));
    const b = await main.run(job(logDir, path.join(tmp.dir, 'b')));
    expect(worker.fellBack).toBe(false);
    expect(worker.startedCount).toBe(1);
    expect(a.lines).toBe(1_000);
    expect(path.basename(a.path)).toBe(path.basename(b.path));
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
    expect(a.sha256).toBe(b.sha256);

    // What went in was redacted, in the worker as on the main thread.
    const zip = await readZip(a.path);
    const tail = zip.files.get('logs/tail.log')!.toString('utf8');
    expect(tail.split('\n').filter(Boolean)).toHaveLength(1_000);
    expect(tail).not.toContain(HOME);
    expect(tail).not.toContain('sk-live-');
  });

  it('starts its worker on the first job, keeps one for every later job, and ends it on close', async () => {
    const logDir = writeLogs(20);
    const runner = new WorkerBundleRunner();
    expect(runner.running).toBe(false);
    const first = await runner.run(job(logDir, path.join(tmp.dir, 'out'), { bundleId: 'id-1' }));
    expect(runner.running).toBe(true);
    const second = await runner.run(job(logDir, path.join(tmp.dir, 'out'), { bundleId: 'id-2', createdAt: NOW + 1000 }));
    expect([first.bundleId, second.bundleId]).toEqual(['id-1', 'id-2']);
    expect(runner.startedCount).toBe(1);
    await runner.close();
    expect(runner.running).toBe(false);
    await expect(runner.run(job(logDir, path.join(tmp.dir, 'out')))).rejects.toThrow(/closed/);
  });

  it('falls back to the main thread when the worker cannot start, with the same bytes', async () => {
    const logDir = writeLogs(200);
    const reference = await track(new MainThreadBundleRunner()).run(job(logDir, path.join(tmp.dir, 'ref')));

    const missing: unknown[] = [];
    const noEntry = track(new WorkerBundleRunner({ entry: pathToFileURL(path.join(tmp.dir, 'no-such-worker.js')), onFallback: (e) => missing.push(e) }));
    const viaMissing = await noEntry.run(job(logDir, path.join(tmp.dir, 'missing')));
    expect(noEntry.fellBack).toBe(true);
    expect(missing).toHaveLength(1);
    expect(readFileSync(viaMissing.path).equals(readFileSync(reference.path))).toBe(true);

    const refused: unknown[] = [];
    const throwing = track(
      new WorkerBundleRunner({
        startWorker: () => {
          throw new Error('worker threads are not available here');
        },
        onFallback: (e) => refused.push(e),
      }),
    );
    const viaThrow = await throwing.run(job(logDir, path.join(tmp.dir, 'throw')));
    await throwing.run(job(logDir, path.join(tmp.dir, 'throw2')));
    expect(refused).toHaveLength(1); // one fallback, not one per job
    expect(throwing.startedCount).toBe(0);
    expect(readFileSync(viaThrow.path).equals(readFileSync(reference.path))).toBe(true);
  });

  it('fails the job, not the host, when the worker cannot write it, and stays usable', async () => {
    const logDir = writeLogs(5);
    const blocked = path.join(tmp.dir, 'blocked');
    writeFileSync(blocked, 'a file where the bundles dir should be');
    const runner = track(new WorkerBundleRunner());
    await expect(runner.run(job(logDir, blocked))).rejects.toThrow();
    const ok = await runner.run(job(logDir, path.join(tmp.dir, 'ok')));
    expect(ok.lines).toBe(5);
    expect(runner.startedCount).toBe(1);
  });

  it('resolves the compiled worker entry from the sources and from dist', () => {
    const fromSource = bundleWorkerEntry(pathToFileURL(path.resolve('src/bundle/bundle-worker-runner.ts')).href);
    const fromDist = bundleWorkerEntry(pathToFileURL(path.resolve('dist/bundle/bundle-worker-runner.js')).href);
    expect(fromSource.href).toBe(fromDist.href);
    expect(fromDist.href).toMatch(/\/dist\/bundle\/bundle-worker\.js$/);
  });
});
