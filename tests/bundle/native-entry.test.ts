import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BundleJob } from '../../src/bundle/bundle-job.js';
import { MainThreadBundleRunner, type BundleRunner } from '../../src/bundle/bundle-runner.js';
import { WorkerBundleRunner } from '../../src/bundle/bundle-worker-runner.js';
import { inspectBundle } from '../../src/bundle/inspect.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { writeZipAtomically } from '../../src/bundle/zip-writer.js';
import { summariseMinidump } from '../../src/minidump/summary.js';
import { PLANTED } from '../helpers/chromium-crash.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from '../minidump/helpers.js';
import { occurrences } from '../helpers/occurrences.js';
import { rendererCrashJob } from '../helpers/renderer-crash-job.js';

const NOW = Date.UTC(2026, 10, 21, 1, 2, 3);
// The fixtures were made under this fake home dir and user.
const USER = 'zedcrashuser';
const HOME = `/home/${USER}`;
const REPORT_ID = '0b6a3c57-1f0e-4b9e-9f43-2d8d5f1b7c10';
let tmp: ReturnType<typeof makeTempDir>;
const runners: BundleRunner[] = [];
beforeEach(() => {
  tmp = makeTempDir('codex-diag-native-entry-');
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  tmp.cleanup();
});

/** A main-thread runner that never waits between slices, closed after the test. */
function mainThreadRunner(): MainThreadBundleRunner {
  const runner = new MainThreadBundleRunner(0);
  runners.push(runner);
  return runner;
}

function crashDirWith(fixture: string): string {
  const pending = path.join(tmp.dir, 'Crashpad', 'pending');
  mkdirSync(pending, { recursive: true });
  const file = path.join(pending, `${REPORT_ID}.dmp`);
  copyFileSync(fixture, file);
  return file;
}

function job(outDir: string, native: BundleJob['native'], overrides: Partial<BundleJob> = {}): BundleJob {
  return rendererCrashJob(NOW, outDir, { homedir: HOME, username: USER }, native, overrides);
}

const identity = { homedir: HOME, username: USER };

describe('native/<id>.dmp in a bundle', () => {
  beforeAll(() => {
    // The planted secrets are in the committed renderer dump: the test is about removing them.
    const raw = readFileSync(FIXTURES.renderer);
    expect(occurrences(raw, PLANTED.memoryToken) + occurrences(raw, PLANTED.switchToken)).toBeGreaterThan(0);
  });

  it('carries the dump scrubbed, leaves the original untouched, counts the scrub, and passes inspect', async () => {
    const dump = crashDirWith(FIXTURES.renderer);
    const before = readFileSync(dump);
    const mtime = statSync(dump).mtimeMs;
    const runner = mainThreadRunner();
    const result = await runner.run(job(path.join(tmp.dir, 'out'), { file: dump, mode: 'scrubbed' }));

    expect(readFileSync(dump).equals(before)).toBe(true);
    expect(statSync(dump).mtimeMs).toBe(mtime);
    expect(result.native).toEqual({ path: `native/${REPORT_ID}.dmp`, processType: 'renderer', crashReason: expect.stringMatching(/^SIG/), scrubbed: true });

    const { files } = await readZip(result.path);
    const entry = files.get(`native/${REPORT_ID}.dmp`)!;
    expect(entry.length).toBe(before.length);
    for (const secret of [PLANTED.memoryToken, PLANTED.memoryPassword, PLANTED.switchToken, HOME, USER]) expect(occurrences(entry, secret)).toBe(0);
    // Still the same crash.
    const a = summariseMinidump(before);
    const b = summariseMinidump(entry);
    expect([b.processType, b.crashReason, b.crashAddress, b.modules, b.threads]).toEqual([a.processType, a.crashReason, a.crashAddress, a.modules, a.threads]);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.files).toContainEqual({ path: `native/${REPORT_ID}.dmp`, bytes: entry.length, sha256: createHash('sha256').update(entry).digest('hex') });
    expect(manifest.native).toMatchObject({ path: `native/${REPORT_ID}.dmp`, processType: 'renderer', scrubbed: true });
    expect(manifest.native.regions).toBeGreaterThan(0);
    expect(manifest.native.bytesScanned).toBeGreaterThan(0);
    expect(manifest.native.matches).toBeGreaterThan(0);

    const inspected = await inspectBundle(result.path, { identity });
    expect(inspected.problems).toEqual([]);
  });

  it('writes the same bytes in the worker as on the main thread', async () => {
    const dump = crashDirWith(FIXTURES.gpu);
    const worker = new WorkerBundleRunner();
    const main = new MainThreadBundleRunner(0);
    runners.push(worker, main);
    const a = await worker.run(job(path.join(tmp.dir, 'a'), { file: dump, mode: 'scrubbed' }));
    const b = await main.run(job(path.join(tmp.dir, 'b'), { file: dump, mode: 'scrubbed' }));
    expect(worker.fellBack).toBe(false);
    expect(a.native?.processType).toBe('gpu-process');
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
  });

  it('a raw dump (explicit) is carried as it is and marked unscrubbed', async () => {
    const dump = crashDirWith(FIXTURES.renderer);
    const runner = mainThreadRunner();
    const result = await runner.run(job(path.join(tmp.dir, 'out'), { file: dump, mode: 'raw' }));
    const { files } = await readZip(result.path);
    expect(files.get(`native/${REPORT_ID}.dmp`)!.equals(readFileSync(dump))).toBe(true);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.native.scrubbed).toBe(false);
    expect(manifest.native.matches).toBeUndefined();
  });

  it('a bad dump is left out with the reason; the bundle is still written and valid', async () => {
    const dump = crashDirWith(FIXTURES.renderer);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(dump, readFileSync(FIXTURES.renderer).subarray(0, 200));
    const runner = mainThreadRunner();
    const result = await runner.run(job(path.join(tmp.dir, 'out'), { file: dump, mode: 'scrubbed' }));
    expect(result.native?.path).toBeNull();
    expect(result.native?.omitted).toMatch(/MINIDUMP|minidump/);
    expect((await inspectBundle(result.path, { identity })).problems).toEqual([]);
  });

  it('a dump over the size bound is left out, not the bundle', async () => {
    const dump = crashDirWith(FIXTURES.renderer);
    const runner = mainThreadRunner();
    const result = await runner.run(job(path.join(tmp.dir, 'out'), { file: dump, mode: 'scrubbed' }, { bounds: { maxLines: 10, maxBundleBytes: 100 * 1024 } }));
    expect(result.native?.path).toBeNull();
    expect(result.native?.omitted).toMatch(/size bound/);
  });

  it('inspect finds a secret put back into a scrubbed dump, and a dump that does not read', async () => {
    const dump = crashDirWith(FIXTURES.renderer);
    const runner = mainThreadRunner();
    const result = await runner.run(job(path.join(tmp.dir, 'out'), { file: dump, mode: 'scrubbed' }));
    const { files } = await readZip(result.path);
    const name = `native/${REPORT_ID}.dmp`;
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    // Forge: the raw dump under the scrubbed record, checksums updated so only the re-scan can tell.
    const rewrite = async (data: Buffer, out: string) => {
      const forged = { ...manifest, files: manifest.files.map((f: { path: string }) => (f.path === name ? { path: name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') } : f)) };
      const entries = [...files].filter(([n]) => n !== 'manifest.json').map(([n, d]) => ({ name: n, data: n === name ? data : d }));
      await writeZipAtomically([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(forged)) }, ...entries], { path: out, noClobber: false }, new Date(NOW));
      return (await inspectBundle(out, { identity })).problems;
    };
    expect(await rewrite(readFileSync(dump), path.join(tmp.dir, 'forged.zip'))).toEqual([expect.stringMatching(/re-scan finds \d+ secret/)]);
    expect(await rewrite(Buffer.from('MDMP not really'), path.join(tmp.dir, 'bad.zip'))).toEqual([expect.stringMatching(/not a readable minidump/)]);
  });
});
