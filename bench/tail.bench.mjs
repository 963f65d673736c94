#!/usr/bin/env node
// Last 10,000 lines of a log set: codex-diag's readLastLines in-process, beside spawning GNU tail and
// beside a naive read-all-and-split, on a 1 GiB set and a 1 MiB set of pino-roll-named files.
//
// Baseline, GNU tail: `tail -n 10000 FILE` spawned on ONE seekable file whose last 10,000 lines are the
// set's last 10,000 lines: for the 1 GiB set its newest file (it holds far more than 10,000 lines),
// for the 1 MiB set a single-file concatenation of the set (made once). That is tail's best case (one
// file, seek from the end, no cross-file work); its output is checked to equal ours.
// Baseline, naive: read every file whole, decode, split on '\n', keep the last 10,000. File by file,
// because one string of 1 GiB is over V8's maximum string length.
//
// Data: .bench-data/tail/ (gitignored), built once and reused.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLastLines } from '../dist/logs/read-last-lines.js';
import { logFileName } from '../dist/logs/file-naming.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = path.join(root, '.bench-data', 'tail');
const COUNT = 10_000;
const MiB = 1024 * 1024;

const sets = [
  { name: '1 MiB', dir: path.join(dataRoot, '1mib'), totalBytes: 1 * MiB, fileBytes: 256 * 1024 },
  { name: '1 GiB', dir: path.join(dataRoot, '1gib'), totalBytes: 1024 * MiB, fileBytes: 16 * MiB },
];

function record(seq) {
  // About 110 bytes, the shape pino writes.
  return `{"level":${seq % 13 === 0 ? 50 : 30},"time":${1795222547421 + seq},"pid":4242,"hostname":"bench","seq":${seq},"msg":"request ${seq % 997} done"}\n`;
}

/** Writes the set as app.1.log ... app.N.log (pino-roll names), unless a complete copy is there. */
function buildSet(set) {
  const marker = path.join(set.dir, 'complete.json');
  const spec = JSON.stringify({ totalBytes: set.totalBytes, fileBytes: set.fileBytes, version: 1 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === spec) return JSON.parse(readFileSync(path.join(set.dir, 'files.json'), 'utf8'));
  rmSync(set.dir, { recursive: true, force: true });
  mkdirSync(set.dir, { recursive: true });
  const started = performance.now();
  const files = [];
  let seq = 0;
  let written = 0;
  for (let n = 1; written < set.totalBytes; n++) {
    const file = path.join(set.dir, logFileName('app', n));
    const fd = openSync(file, 'w');
    let inFile = 0;
    while (inFile < set.fileBytes && written < set.totalBytes) {
      let chunk = '';
      while (chunk.length < 1 * MiB && inFile + chunk.length < set.fileBytes) chunk += record(seq++);
      writeSync(fd, chunk);
      inFile += chunk.length; // ASCII: chars are bytes
      written += chunk.length;
    }
    closeSync(fd);
    files.push(file);
  }
  writeFileSync(path.join(set.dir, 'files.json'), JSON.stringify({ files, lines: seq, bytes: written }));
  writeFileSync(marker, spec);
  process.stdout.write(`built ${set.name} set: ${files.length} files, ${seq} lines, ${written} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { files, lines: seq, bytes: written };
}

/** One seekable file holding the set's last COUNT lines at its end, for GNU tail. */
function tailTarget(set, info) {
  if (info.lines / info.files.length > COUNT * 1.5) return info.files[info.files.length - 1];
  const concat = path.join(set.dir, 'all.concat');
  if (!existsSync(concat)) writeFileSync(concat, Buffer.concat(info.files.map((f) => readFileSync(f))));
  return concat;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs the contenders in turns, round after round, so machine noise falls on all of them alike. */
async function timeRounds(rounds, contenders) {
  const times = contenders.map(() => []);
  const last = [];
  for (let c = 0; c < contenders.length; c++) last[c] = await contenders[c](); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < contenders.length; c++) {
      globalThis.gc?.();
      const t0 = performance.now();
      last[c] = await contenders[c]();
      times[c].push(performance.now() - t0);
    }
  }
  return times.map((t, c) => ({ ms: median(t), min: Math.min(...t), last: last[c] }));
}

async function timeRuns(runs, fn) {
  const [result] = await timeRounds(runs, [fn]);
  return result;
}

function naiveLastLines(files) {
  let kept = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    kept = kept.concat(lines.slice(-COUNT)).slice(-COUNT);
  }
  return kept;
}

const fmt = (ms) => `${ms.toFixed(2)} ms`;
const results = [];
for (const set of sets) {
  const info = buildSet(set);
  // The metadata files sit in the same dir but are not *.log, so the reader ignores them.
  const target = tailTarget(set, info);
  const [ours, gnu] = await timeRounds(41, [
    () => readLastLines({ logDir: set.dir, count: COUNT }),
    () => spawnSync('tail', ['-n', String(COUNT), target], { maxBuffer: 64 * MiB }),
  ]);
  if (gnu.last.error || gnu.last.status !== 0) throw new Error(`cannot run tail for the baseline: ${gnu.last.error?.message ?? gnu.last.stderr}`);
  const ourText = ours.last.lines.map((l) => `${l.text}\n`).join('');
  if (gnu.last.stdout.toString('utf8') !== ourText) throw new Error(`${set.name}: GNU tail output differs from readLastLines`);
  const naive = await timeRuns(set.totalBytes > 64 * MiB ? 2 : 15, () => naiveLastLines(info.files));
  if (naive.last.join('\n') + '\n' !== ourText) throw new Error(`${set.name}: naive output differs from readLastLines`);
  results.push({ set, info, ours, gnu, naive });
}

process.stdout.write(
  `\nlast ${COUNT} lines: median (min) of 41 rounds, readLastLines and GNU tail taking turns; naive: 15 runs on 1 MiB, 2 on 1 GiB\n` +
    `readLastLines includes discovering the dir's files; GNU tail is spawned on one file (see the header of this bench)\n`,
);
for (const { set, info, ours, gnu, naive } of results) {
  process.stdout.write(
    [
      `${set.name} set (${info.files.length} files, ${info.bytes} bytes):`,
      `  codex-diag readLastLines  ${fmt(ours.ms).padStart(12)} (${fmt(ours.min)})   ${ours.last.lines.length} lines, bytes read ${ours.last.bytesRead} (${ours.last.files} file(s) opened)`,
      `  GNU tail -n ${COUNT} spawned ${fmt(gnu.ms).padStart(10)} (${fmt(gnu.min)})   ratio ours/tail ${(ours.ms / gnu.ms).toFixed(3)}`,
      `  naive read-all-and-split  ${fmt(naive.ms).padStart(12)}   bytes read ${info.bytes}   ratio ours/naive ${(ours.ms / naive.ms).toFixed(4)}`,
      '',
    ].join('\n'),
  );
}
const [small, big] = results;
process.stdout.write(
  `size independence: readLastLines on 1 GiB / on 1 MiB = ${(big.ours.ms / small.ours.ms).toFixed(2)}x time, ` +
    `${(big.ours.last.bytesRead / small.ours.last.bytesRead).toFixed(2)}x bytes read (the data grew ${Math.round(big.info.bytes / small.info.bytes)}x)\n`,
);
