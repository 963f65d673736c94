#!/usr/bin/env node
// Minidump reader and scrubber throughput on a real Chromium dump (tests/fixtures/minidump/renderer.dmp),
// and scrubbing a 50 MB dump grown from it.
//
// Baselines measured in the same run:
// - reader: Buffer.indexOf of a byte string that is not there (one plain pass over the same bytes);
// - scrubber: the same plain pass, and readFileSync of the same bytes from disk (what any consumer of
//   the dump pays to hold it), so the ratio is the price of scrubbing.
// The 50 MB dump is the real dump with a Memory64List of copies of its own memory regions (the same
// text density as a renderer's stacks), written to a temp file and removed afterwards.
//
// The host's side of the outbound re-scrub (what an upload does to a bundle's dump before it leaves):
// the longest wait of a 1 ms timer while it runs, in the bundle worker (embedded) beside the paced
// main-thread fallback (where no worker starts, and the CLI), as a ratio. First the re-scrub step alone on
// the 50 MB dump (a dump that big never goes as event.minidump: it is over Sentry's request size limit,
// so only the zip carries it), then a whole upload to a local ingest of a bundle whose dump fits the limit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedactor } from '../dist/bundle/redactor.js';
import { createSecretFinder, readMinidump, scrubMinidump, scrubMinidumpPaced, summariseMinidump } from '../dist/minidump/index.js';
import { timeSlicePacer } from '../dist/runtime/time-slice.js';
import { MainThreadBundleRunner } from '../dist/bundle/bundle-runner.js';
import { WorkerBundleRunner } from '../dist/bundle/bundle-worker-runner.js';
import { rescrubMinidump, pacedMinidumpScrubber } from '../dist/upload/minidump-attachment.js';
import { drainOutbox, enqueueBundle } from '../dist/upload/index.js';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { withMemory64 } from './minidump-grow.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1_000_000;
const real = readFileSync(path.join(root, 'tests', 'fixtures', 'minidump', 'renderer.dmp'));
const context = { homedir: '/home/bench-user', username: 'bench-user' };
const finder = () => createSecretFinder({ redactor: createRedactor(context), ...context });
const needle = Buffer.from('no such bytes in any dump \u0001\u0002');

/** Median of `runs` timings of `fn` in ms, after one warm-up call. */
function time(fn, runs) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function line(label, ms, bytes, baselineLabel, baselineMs) {
  const rate = (bytes / MB / (ms / 1000)).toFixed(1);
  const ratio = (ms / baselineMs).toFixed(1);
  console.log(`${label.padEnd(34)} ${ms.toFixed(2).padStart(9)} ms  ${rate.padStart(8)} MB/s   ${baselineLabel} ${baselineMs.toFixed(2)} ms  (${ratio}x)`);
}

// --- the real dump ------------------------------------------------------------------------------
const scanReal = time(() => real.indexOf(needle), 50);
line(`read + summarise (${(real.length / 1024).toFixed(0)} KiB real dump)`, time(() => summariseMinidump(real), 50), real.length, 'plain pass', scanReal);
const f = finder();
line('scrub (real dump)', time(() => scrubMinidump(Buffer.from(real), f), 30), real.length, 'plain pass', scanReal);

// --- 50 MB --------------------------------------------------------------------------------------
const regions = readMinidump(real).memory.map((m) => real.subarray(m.data.rva, m.data.rva + m.data.size));
const copies = [];
let size = real.length;
for (let i = 0; size < 50 * MB; i++) {
  const region = regions[i % regions.length];
  copies.push(region);
  size += region.length + 16;
}
const big = withMemory64(real, copies);
const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-bench-minidump-'));
try {
  const file = path.join(dir, 'big.dmp');
  writeFileSync(file, big);
  const readMs = time(() => readFileSync(file), 5);
  const scanMs = time(() => big.indexOf(needle), 5);
  const bigFinder = finder();
  const scrubMs = time(() => scrubMinidump(Buffer.from(big), bigFinder), 3);
  const copyMs = time(() => Buffer.from(big), 3);
  const stats = scrubMinidump(Buffer.from(big), bigFinder);
  console.log(`50 MB dump: ${(big.length / MB).toFixed(1)} MB, ${stats.regions} regions, ${(stats.bytesScanned / MB).toFixed(1)} MB scanned, ${stats.matches} matches`);
  line('scrub 50 MB (copy excluded)', scrubMs - copyMs, big.length, 'readFileSync', readMs);
  line('scrub 50 MB (copy excluded)', scrubMs - copyMs, big.length, 'plain pass', scanMs);
  console.log(`scrub 50 MB target: under 1000 ms: ${scrubMs - copyMs < 1000 ? 'yes' : 'NO'} (${(scrubMs - copyMs).toFixed(0)} ms)`);

  // The main-thread path (the bundle worker's fallback, the re-scrub on upload): paced in 4 ms slices.
  // Its cost beside the one-pass scrub, and the longest time the event loop waited for a turn.
  const pacedCopy = Buffer.from(big);
  const pacedRun = await longestWait(() => scrubMinidumpPaced(pacedCopy, bigFinder, timeSlicePacer(4)));
  line('scrub 50 MB paced (main thread)', pacedRun.ms, big.length, 'one pass', scrubMs - copyMs);
  console.log(`scrub 50 MB paced: longest wait of a 1 ms timer ${pacedRun.longest.toFixed(1)} ms (slices of 4 ms)`);

  // --- the outbound re-scrub: the host's longest wait, worker vs paced fallback ---------------------
  const identity = { homedir: context.homedir, username: context.username };
  const worker = new WorkerBundleRunner();
  const viaWorker = async (bytes) => (await worker.scrubMinidump({ bytes, redaction: identity })).bytes;
  const paced = pacedMinidumpScrubber(bigFinder);
  const attachment = (bytes) => ({ filename: 'big.dmp', contentType: 'application/octet-stream', data: new Uint8Array(bytes), attachmentType: 'event.minidump', scrubbed: true });
  try {
    // Warm both (the worker's start and module loads are not what is measured).
    await rescrubMinidump(attachment(real), viaWorker);
    await rescrubMinidump(attachment(real), paced);
    // Each gets its own copy, made before the timer starts (the uploader's comes fresh from the zip).
    const [forWorker, forPaced] = [attachment(big), attachment(big)];
    const workerStep = await longestWait(() => rescrubMinidump(forWorker, viaWorker));
    const pacedStep = await longestWait(() => rescrubMinidump(forPaced, paced));
    if (!Buffer.from(workerStep.result.data).equals(Buffer.from(pacedStep.result.data))) throw new Error('worker and paced re-scrub differ');
    wait('re-scrub 50 MB, bundle worker', workerStep, 'paced main thread', pacedStep);

    // A whole upload (outbox read, re-redaction, event, re-scrub, HTTP) of a bundle with a 15 MB dump.
    const fits = withMemory64(real, copies.slice(0, Math.floor((copies.length * 15) / 50)));
    const dumpFile = path.join(dir, 'fits.dmp');
    writeFileSync(dumpFile, fits);
    const built = await new MainThreadBundleRunner(50).run(bundleJob(path.join(dir, 'bundles'), dumpFile));
    // The ingest runs in its own process: parsing what it receives must not count against the sender.
    const ingest = fork(path.join(root, 'bench', 'ingest-process.mjs'));
    const [{ dsn }] = await once(ingest, 'message');
    try {
      const upload = async (name, scrubMinidump) => {
        const outboxDir = path.join(dir, `outbox-${name}`);
        await enqueueBundle({ outboxDir, bundlePath: built.path });
        const measured = await longestWait(() => drainOutbox({ outboxDir, dsn, force: true, ...(scrubMinidump ? { scrubMinidump } : {}) }));
        if (measured.result.sent !== 1) throw new Error(`upload ${name} did not send: ${JSON.stringify(measured.result.results)}`);
        return measured;
      };
      await upload('warm', (bytes, who) => worker.scrubMinidump({ bytes, redaction: who }).then((r) => r.bytes));
      const workerUpload = await upload('worker', (bytes, who) => worker.scrubMinidump({ bytes, redaction: who }).then((r) => r.bytes));
      const pacedUpload = await upload('paced');
      ingest.send({ minidumps: true });
      const [{ minidumps }] = await once(ingest, 'message');
      if (minidumps.length !== 3) throw new Error(`expected 3 minidumps at the ingest, got ${minidumps.length}`);
      if (minidumps[1] !== minidumps[2]) throw new Error('worker and paced uploads sent different dumps');
      wait(`upload, ${(fits.length / MB).toFixed(0)} MB dump, worker`, workerUpload, 'paced main thread', pacedUpload);
    } finally {
      ingest.send({ close: true });
      await once(ingest, 'exit');
    }
  } finally {
    await worker.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a 1 ms timer beside it; the longest the timer waited for a turn, and how long `fn` took. */
async function longestWait(fn) {
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  clearInterval(probe);
  return { longest: Math.max(longest, performance.now() - last), ms, result };
}

function wait(label, measured, baselineLabel, baseline) {
  console.log(
    `${label.padEnd(34)} longest wait ${measured.longest.toFixed(1).padStart(6)} ms (took ${measured.ms.toFixed(0)} ms)   ${baselineLabel} ${baseline.longest.toFixed(1)} ms (took ${baseline.ms.toFixed(0)} ms)  (${(measured.longest / baseline.longest).toFixed(2)}x)`,
  );
}

function bundleJob(bundlesDir, dumpFile) {
  return {
    logDir: null,
    bundlesDir,
    bounds: { maxLines: 0 },
    redaction: context,
    incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: Date.now() - 5000 },
    fingerprint: { fingerprint: 'fp1-00aa11bb22cc33dd', components: ['fp1', 'kind:render-process-gone', 'reason:crashed'], title: 'Renderer crashed' },
    state: null,
    app: { name: 'Bench', version: '1.0.0' },
    system: { os: 'linux', osType: 'Linux', release: '6.1.0', arch: 'x64', totalMemoryBytes: 1, freeMemoryBytes: 1, cpuCount: 2, node: process.versions.node, app: { name: 'Bench', version: '1.0.0' }, appVersion: '1.0.0' },
    suppressedCount: 0,
    createdAt: Date.now(),
    bundleId: randomUUID(),
    native: { file: dumpFile, mode: 'scrubbed' },
  };
}
