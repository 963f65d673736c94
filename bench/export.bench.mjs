#!/usr/bin/env node
// `export` of the last 10,000 lines from a 1 GiB log set, in-process and as a whole CLI process, and
// the redactor's throughput beside a plain copy of the same bytes.
//
// Baselines measured in the same run:
// - export in-process: readLastLines of the same 10,000 lines alone (what any export must pay to
//   read), so the ratio is the price of redaction + zip + fsync;
// - export as a CLI process: `node -e ''` (the price of starting Node at all) and `codex-diag tail -n 10000`
//   when it is available (the same read, printed instead of bundled);
// - redactor: Buffer.from(copy) of the same bytes, and split('\n') + join (touching every line as a string).
//
// Data: reuses .bench-data/tail/1gib when the tail bench has built it, else builds
// .bench-data/export/1gib (gitignored) once.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../dist/bundle/builder.js';
import { createRedactor } from '../dist/bundle/redactor.js';
import { readLastLines } from '../dist/logs/read-last-lines.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const COUNT = 10_000;
const cli = path.join(root, 'dist', 'cli', 'main.js');

function record(seq) {
  // About 200 bytes, the shape pino writes; every 20th line carries something to redact.
  const extra =
    seq % 20 === 0
      ? `,"req":{"headers":{"authorization":"Bearer abcdefgh${seq}xyz0123"}},"user":"u${seq}@example.com","path":"/home/bench/work/${seq}"`
      : `,"path":"/opt/codex/resources/app.asar/${seq % 97}.js"`;
  return `{"level":${seq % 13 === 0 ? 50 : 30},"time":${1795222547421 + seq},"pid":4242,"hostname":"build-host-7","seq":${seq},"msg":"request ${seq % 997} done in ${seq % 1000} ms"${extra}}\n`;
}

function logSet() {
  const shared = path.join(root, '.bench-data', 'tail', '1gib');
  if (existsSync(path.join(shared, 'complete.json')) && existsSync(path.join(shared, 'files.json'))) {
    const info = JSON.parse(readFileSync(path.join(shared, 'files.json'), 'utf8'));
    return { dir: shared, bytes: info.bytes, files: info.files.length, source: 'shared with the tail bench' };
  }
  const dir = path.join(root, '.bench-data', 'export', '1gib');
  const marker = path.join(dir, 'complete.json');
  if (existsSync(marker)) return { dir, ...JSON.parse(readFileSync(marker, 'utf8')), source: 'built earlier' };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  let seq = 0;
  let bytes = 0;
  let files = 0;
  for (let n = 1; bytes < 1024 * MiB; n++) {
    const fd = openSync(path.join(dir, `app.${n}.log`), 'w');
    files++;
    for (let inFile = 0; inFile < 32 * MiB && bytes < 1024 * MiB; ) {
      let chunk = '';
      while (chunk.length < MiB) chunk += record(seq++);
      writeSync(fd, chunk);
      inFile += chunk.length;
      bytes += chunk.length;
    }
    closeSync(fd);
  }
  writeFileSync(marker, JSON.stringify({ bytes, files }));
  process.stdout.write(`built the 1 GiB set in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { dir, bytes, files, source: 'built now' };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn) {
  globalThis.gc?.();
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const fmt = (ms) => `${ms.toFixed(1).padStart(8)} ms`;
const set = logSet();
const work = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-export-bench-'));
const redactor = createRedactor({ homedir: '/home/bench', username: 'bench' });
process.stdout.write(`log set: ${(set.bytes / MiB).toFixed(0)} MiB in ${set.files} files (${set.source})\n`);

// --- export in-process ---------------------------------------------------------------------------
const rounds = 5;
const readMs = [];
const exportMs = [];
let lastBundle;
for (let r = 0; r < rounds; r++) {
  readMs.push(await timed(() => readLastLines({ logDir: set.dir, count: COUNT })));
  exportMs.push(
    await timed(async () => {
      const { lines } = await readLastLines({ logDir: set.dir, count: COUNT });
      lastBundle = await buildBundle(
        { incident: null, fingerprint: null, lines, state: { version: 3 }, app: { name: 'Codex', version: 'bench' } },
        { outDir: path.join(work, 'in-process'), redactor, bounds: { maxLines: COUNT } },
      );
    }),
  );
}
const rssMiB = process.memoryUsage().rss / MiB;
process.stdout.write(`\nexport of ${COUNT} lines in-process (median of ${rounds})\n`);
process.stdout.write(`  readLastLines alone (baseline) ${fmt(median(readMs))}\n`);
process.stdout.write(`  read + redact + zip + fsync    ${fmt(median(exportMs))}   ${(median(exportMs) / median(readMs)).toFixed(1)}x the read\n`);
process.stdout.write(`  bundle: ${lastBundle.lines} lines, ${(lastBundle.bytes / 1024).toFixed(0)} KiB zip; process rss ${rssMiB.toFixed(0)} MiB\n`);

// --- export as a whole CLI process ---------------------------------------------------------------
function spawnMs(args) {
  const started = performance.now();
  // maxBuffer: `tail -n 10000` prints about 1.1 MB, past spawnSync's 1 MiB default, which would kill it.
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * MiB, env: { ...process.env, CODEX_DIAG_LOG_DIR: set.dir } });
  const ms = performance.now() - started;
  if (result.status !== 0 && args[0] !== '-e') throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, status: result.status };
}
const nodeMs = [];
const tailMs = [];
const cliMs = [];
let tailWorks = true;
for (let r = 0; r < rounds; r++) {
  nodeMs.push(spawnMs(['-e', '']).ms);
  if (tailWorks) {
    const tail = spawnSync(process.execPath, [cli, 'tail', '-n', String(COUNT), '--log-dir', set.dir], { stdio: 'ignore' });
    tailWorks = tail.status === 0;
    if (tailWorks) tailMs.push(spawnMs([cli, 'tail', '-n', String(COUNT), '--log-dir', set.dir]).ms);
  }
  cliMs.push(spawnMs([cli, 'export', '-n', String(COUNT), '--no-incident', '--log-dir', set.dir, '--data-dir', path.join(work, 'cli'), '--json', '-q']).ms);
}
process.stdout.write(`\nexport of ${COUNT} lines as a CLI process (median of ${rounds})\n`);
process.stdout.write(`  node -e '' (baseline)          ${fmt(median(nodeMs))}\n`);
if (tailMs.length > 0) process.stdout.write(`  codex-diag tail -n ${COUNT}       ${fmt(median(tailMs))}   ${(median(tailMs) / median(nodeMs)).toFixed(1)}x node startup\n`);
process.stdout.write(`  codex-diag export -n ${COUNT}     ${fmt(median(cliMs))}   ${(median(cliMs) / median(nodeMs)).toFixed(1)}x node startup\n`);

// --- redactor throughput -------------------------------------------------------------------------
let sample = '';
for (let seq = 0; sample.length < 32 * MiB; seq++) sample += record(seq);
const sampleLines = sample.split('\n');
const sampleBytes = Buffer.from(sample);
const mbps = (ms) => `${((sampleBytes.length / 1e6) / (ms / 1000)).toFixed(0).padStart(6)} MB/s`;
const copyMs = [];
const splitMs = [];
const redactMs = [];
let redactions = 0;
for (let r = 0; r < rounds; r++) {
  copyMs.push(await timed(() => Buffer.from(sampleBytes)));
  splitMs.push(await timed(() => sample.split('\n').join('\n')));
  redactMs.push(
    await timed(() => {
      const session = redactor.session();
      for (const line of sampleLines) session.line(line);
      redactions = Object.values(session.counts()).reduce((a, b) => a + b, 0);
    }),
  );
}
process.stdout.write(`\nredactor on ${(sampleBytes.length / MiB).toFixed(0)} MiB of pino lines, ${redactions} redactions (median of ${rounds})\n`);
process.stdout.write(`  plain copy (baseline)   ${mbps(median(copyMs))}\n`);
process.stdout.write(`  split + join            ${mbps(median(splitMs))}\n`);
process.stdout.write(`  redactor, line by line  ${mbps(median(redactMs))}   ${(median(redactMs) / median(copyMs)).toFixed(0)}x the copy's time, ${(median(redactMs) / median(splitMs)).toFixed(0)}x split + join\n`);

rmSync(work, { recursive: true, force: true });
