import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MainThreadBundleRunner } from '../../src/bundle/bundle-runner.js';
import type { MinidumpScrubJob } from '../../src/bundle/minidump-scrub-job.js';
import { startLocalIngest } from '../../src/upload/local-ingest.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { DiagnosticsService } from '../../src/diagnostics/service.js';
import type { IncidentOutcome } from '../../src/diagnostics/types.js';
import { readMinidump } from '../../src/minidump/read-minidump.js';
import { PLANTED } from '../helpers/chromium-crash.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { FIXTURES } from '../minidump/helpers.js';
import { occurrences } from '../helpers/occurrences.js';

const HOME = '/home/zedcrashuser';
const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
let root: string;
let crashDir: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-native-crash-').dir;
  crashDir = path.join(root, 'Crashpad');
  mkdirSync(path.join(root, 'logs'), { recursive: true });
  writeFileSync(path.join(root, 'logs', 'app.1.log'), `{"level":50,"time":${T0},"msg":"renderer gone"}\n`);
});
afterEach(() => removeDir(root));

const options = (clock: ManualClock, extra: Record<string, unknown> = {}) => ({
  logDir: path.join(root, 'logs'),
  dataDir: path.join(root, 'data'),
  log: false as const,
  env: {},
  homedir: HOME,
  clock,
  crashDir,
  ...extra,
});

function putDump(bytes: Buffer | string, id: string, mtime: number): string {
  const dir = path.join(crashDir, 'pending');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}.dmp`);
  if (typeof bytes === 'string') copyFileSync(bytes, file);
  else writeFileSync(file, bytes);
  utimesSync(file, new Date(mtime), new Date(mtime));
  return file;
}

/** The renderer fixture as a main-process dump: its `ptype` crash key says `browser` (NUL-padded to the same length). */
function browserDump(): Buffer {
  const bytes = Buffer.from(readFileSync(FIXTURES.renderer));
  const ptype = readMinidump(bytes).crashpad!.annotations.find((a) => a.key === 'ptype')!;
  bytes.fill(0, ptype.valueLocation.rva, ptype.valueLocation.rva + ptype.valueLocation.size);
  bytes.write('browser', ptype.valueLocation.rva, 'latin1');
  return bytes;
}

/** Moves the manual clock on (the matcher polls on it) until the incident is through the pipeline. */
async function settle(clock: ManualClock, outcome: Promise<IncidentOutcome>): Promise<IncidentOutcome> {
  let done = false;
  void outcome.finally(() => (done = true));
  await waitFor(() => {
    if (!done) clock.advance(250);
    return done;
  }, 'the incident to be bundled');
  return outcome;
}

describe('native crashes in the embedded service', () => {
  it('a renderer crash finds its dump by process type and time once it stops growing, bundles it scrubbed, then lets the original go', async () => {
    const clock = new ManualClock(T0);
    const runner = new MainThreadBundleRunner(0);
    const diag = await DiagnosticsService.open(options(clock), { bundleRunner: runner });
    const original = putDump(FIXTURES.renderer, 'aaaaaaaa-1111-4111-8111-111111111111', T0 + 300);
    putDump(FIXTURES.gpu, 'bbbbbbbb-2222-4222-8222-222222222222', T0 + 200);
    const outcome = await settle(clock, diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: T0 }));
    expect(outcome.status).toBe('recorded');
    const bundle = (outcome as Extract<IncidentOutcome, { status: 'recorded' }>).bundle!;
    const { files } = await readZip(bundle.path);
    const entry = files.get('native/aaaaaaaa-1111-4111-8111-111111111111.dmp')!;
    expect(entry).toBeDefined();
    for (const secret of [PLANTED.memoryToken, PLANTED.switchToken, HOME]) expect(occurrences(entry, secret)).toBe(0);
    expect(JSON.parse(files.get('manifest.json')!.toString()).native).toMatchObject({ processType: 'renderer', scrubbed: true });

    // Bundled: the dir lets the raw original go (counted), and keeps the GPU dump nobody bundled.
    await waitFor(() => !existsSync(original), 'the bundled dump to be deleted');
    await diag.native.idle();
    expect(existsSync(path.join(crashDir, 'pending', 'bbbbbbbb-2222-4222-8222-222222222222.dmp'))).toBe(true);
    expect(diag.crashDumps).toMatchObject({ deleted: { bundled: 1, age: 0, count: 0, bytes: 0 }, deletedTotal: 1, bundled: 1 });
    expect(diag.crashDumps.deletedBytes).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path.join(root, 'data', 'native-crashes.json'), 'utf8')).deleted.bundled).toBe(1);
    await diag.close();
    expect(diag.faults.total).toBe(0);
  });

  it("minidumps: 'off' bundles none; a crash whose dump never comes is bundled without one after the bounded wait", async () => {
    const clock = new ManualClock(T0);
    const off = await DiagnosticsService.open(options(clock, { minidumps: 'off' }), { bundleRunner: new MainThreadBundleRunner(0) });
    putDump(FIXTURES.renderer, 'cccccccc-3333-4333-8333-333333333333', T0 + 300);
    const a = (await settle(clock, off.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: T0 }))) as Extract<IncidentOutcome, { status: 'recorded' }>;
    expect([...(await readZip(a.bundle!.path)).files.keys()].some((n) => n.startsWith('native/'))).toBe(false);
    await off.close();

    rmSync(crashDir, { recursive: true, force: true });
    const clock2 = new ManualClock(T0 + 3_600_000);
    const none = await DiagnosticsService.open(options(clock2, { crashDumps: { waitMs: 2_000 }, dataDir: path.join(root, 'data2') }), { bundleRunner: new MainThreadBundleRunner(0) });
    const b = (await settle(clock2, none.recordIncident({ kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: 139 }))) as Extract<IncidentOutcome, { status: 'recorded' }>;
    expect(b.bundle).toBeTruthy();
    expect(clock2.now() - (T0 + 3_600_000)).toBeGreaterThanOrEqual(2_000);
    await none.close();
  });

  it('a main-process crash of the last run becomes an incident of its own on the next start, bundled with its dump, once', async () => {
    const clock = new ManualClock(T0);
    const first = await DiagnosticsService.open(options(clock), { bundleRunner: new MainThreadBundleRunner(0) });
    await waitFor(() => existsSync(path.join(root, 'data', 'native-crashes.json')), 'the ledger');
    await first.close();
    // The main process dies; Crashpad writes its dump.
    const dumpFile = putDump(browserDump(), 'dddddddd-4444-4444-8444-444444444444', T0 + 60_000);

    clock.setTime(T0 + 120_000);
    const second = await DiagnosticsService.open(options(clock), { bundleRunner: new MainThreadBundleRunner(0) });
    const incidents: Array<{ incident: Record<string, unknown>; components: readonly string[] }> = [];
    second.on('incident', (i) => incidents.push(i as never));
    const bundles: string[] = [];
    second.on('bundle', (b) => bundles.push(b.path));
    await waitFor(() => bundles.length === 1, 'the main-process bundle');
    expect(incidents[0]!.incident).toMatchObject({ kind: 'child-process-gone', type: 'Browser', reason: 'crashed', crashReportId: 'dddddddd-4444-4444-8444-444444444444' });
    expect(incidents[0]!.components).toEqual(expect.arrayContaining(['kind:child-process-gone', 'type:Browser', 'reason:crashed']));
    expect(incidents[0]!.components.some((c) => c.startsWith('service:'))).toBe(true);
    const { files } = await readZip(bundles[0]!);
    expect(files.has('native/dddddddd-4444-4444-8444-444444444444.dmp')).toBe(true);
    expect(JSON.parse(files.get('manifest.json')!.toString()).native.processType).toBe('browser');
    await waitFor(() => !existsSync(dumpFile), 'the bundled main-process dump to be deleted');
    await second.close();

    // A third start finds nothing new.
    const third = await DiagnosticsService.open(options(clock), { bundleRunner: new MainThreadBundleRunner(0) });
    const more: unknown[] = [];
    third.on('incident', (i) => more.push(i));
    await third.native.idle();
    await third.close();
    expect(more).toEqual([]);
  });

  it('keeps the dir within its bounds: past-age and over-count dumps go, each counted', async () => {
    const clock = new ManualClock(T0);
    const day = 24 * 60 * 60 * 1000;
    putDump(FIXTURES.gpu, 'old-1', T0 - 40 * day);
    for (let i = 0; i < 5; i++) putDump(FIXTURES.gpu, `recent-${i}`, T0 - (10 - i) * day);
    const diag = await DiagnosticsService.open(options(clock, { crashDumps: { maxDumps: 3 } }), { bundleRunner: new MainThreadBundleRunner(0) });
    await waitFor(() => readdirSync(path.join(crashDir, 'pending')).length === 3, 'the dir to be bounded');
    await diag.native.idle();
    expect(readdirSync(path.join(crashDir, 'pending')).sort()).toEqual(['recent-2.dmp', 'recent-3.dmp', 'recent-4.dmp']);
    // Where an app and a support engineer see them: diag.crashDumps, and the data dir's report.
    const sizes = readFileSync(FIXTURES.gpu).length;
    expect(diag.crashDumps).toEqual({ deleted: { bundled: 0, age: 1, count: 2, bytes: 0 }, deletedTotal: 3, deletedBytes: 3 * sizes, bundled: 0 });
    await diag.close();
    const again = await DiagnosticsService.open(options(clock, { crashDumps: { maxDumps: 3 } }), { bundleRunner: new MainThreadBundleRunner(0) });
    await waitFor(() => again.crashDumps.deletedTotal === 3, 'the ledger of the last run to be read');
    await again.close();
    const { readCrashDumpStats } = await import('../../src/minidump/native-crash-ledger.js');
    expect(await readCrashDumpStats(path.join(root, 'data'))).toEqual(diag.crashDumps);
  });

  it('counts a dump deleted for the bytes bound as one deletion for that reason, its size in deletedBytes', async () => {
    const clock = new ManualClock(T0);
    const size = readFileSync(FIXTURES.gpu).length;
    for (let i = 0; i < 3; i++) putDump(FIXTURES.gpu, `dump-${i}`, T0 - (3 - i) * 60_000);
    const diag = await DiagnosticsService.open(options(clock, { crashDumps: { maxBytes: 2 * size } }), { bundleRunner: new MainThreadBundleRunner(0) });
    await waitFor(() => readdirSync(path.join(crashDir, 'pending')).length === 2, 'the dir to be within its bytes bound');
    await diag.native.idle();
    expect(diag.crashDumps).toEqual({ deleted: { bundled: 0, age: 0, count: 0, bytes: 1 }, deletedTotal: 1, deletedBytes: size, bundled: 0 });
    await diag.close();
  });

  it('the upload re-scrubs the dump through the bundle runner (the worker when embedded), and it arrives scrubbed', async () => {
    const ingest = await startLocalIngest();
    try {
      const clock = new ManualClock(T0);
      const scrubs: number[] = [];
      // The service's runner, watched: the outbound re-scrub must go through it, not run beside it.
      const runner = new (class extends MainThreadBundleRunner {
        override scrubMinidump(job: MinidumpScrubJob) {
          scrubs.push(job.bytes.byteLength);
          return super.scrubMinidump(job);
        }
      })(0);
      const diag = await DiagnosticsService.open(options(clock, { dsn: ingest.dsn, upload: { startDelayMs: 0 } }), { bundleRunner: runner });
      putDump(FIXTURES.renderer, 'cccccccc-3333-4333-8333-333333333333', T0 + 300);
      const outcome = await settle(clock, diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: T0 }));
      expect(outcome).toMatchObject({ status: 'recorded', queued: true });
      await waitFor(() => {
        clock.advance(1_000);
        return ingest.events().length > 0;
      }, 'the event at the ingest', 30_000);
      // Release-health sessions travel in envelopes of their own.
      const withEvent = ingest.envelopes.find((e) => e.items.some(([header]) => header.type === 'event'))!;
      const minidump = withEvent.items.find(([header]) => header.attachment_type === 'event.minidump');
      expect(minidump).toBeDefined();
      expect(scrubs).toEqual([readFileSync(FIXTURES.renderer).length]);
      for (const secret of [PLANTED.memoryToken, PLANTED.switchToken, HOME]) expect(occurrences(minidump![1] as Uint8Array, secret)).toBe(0);
      await diag.close();
      expect(diag.faults.total).toBe(0);
    } finally {
      await ingest.close();
    }
  });
});
