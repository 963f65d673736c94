#!/usr/bin/env node
// `codex-diag tail -f` as a process, beside GNU `tail -F` in the same run:
//  1. latency from write to print: both follow the same file at once; each line is appended with one
//     write and timed until each process has printed it (p50, p95; the pipe back to this process is in
//     both figures alike). Goal: p50 ≤ 5 ms.
//  2. start to live: a process is started on a dir of 64 files while this one appends a numbered probe
//     line every millisecond; live = when the first probe it prints was written (lines written before it
//     was live are not printed). GNU tail -F is given the 64 files by name. Goal: ≤ 300 ms.
//  3. idle CPU with 64 files: both followers (and a bare idle node as the floor) left alone for a few
//     seconds, CPU time read from /proc/<pid>/stat (utime + stime). Goal: about zero.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const LATENCY_LINES = Number(process.env.TAIL_BENCH_LINES ?? 300);
const LIVE_ROUNDS = Number(process.env.TAIL_BENCH_LIVE_ROUNDS ?? 7);
const IDLE_MS = 6000; // longer than the 5 s safety poll, so one poll falls inside
const FILES = 64;
if (!existsSync(cli)) {
  console.error(`missing ${cli}: run npm run build first`);
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-tail-follow-bench-'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const median = (values) => percentile(values, 50);

/** A dir of 64 log files of 1,000 lines each. */
function makeDir(name) {
  const dir = path.join(work, name);
  mkdirSync(dir);
  const body = Array.from({ length: 1000 }, (_, i) => `2026-11-21T09:00:00Z info request ${i} done\n`).join('');
  const files = Array.from({ length: FILES }, (_, i) => {
    const file = path.join(dir, `renderer-${String(i).padStart(2, '0')}.log`);
    writeFileSync(file, body);
    return file;
  });
  return { dir, files };
}

/** A follower process whose printed lines are timestamped as they arrive. */
function startFollower(name, command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const arrivals = new Map();
  let rest = '';
  child.stdout.on('data', (chunk) => {
    const now = performance.now();
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop();
    for (const line of lines) if (!arrivals.has(line)) arrivals.set(line, now);
  });
  child.stderr.resume();
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    name,
    child,
    arrivals,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const ours = (dir) => [process.execPath, [cli, 'tail', '-f', '-n', '0', '--log-dir', dir]];
const gnu = (files) => ['tail', ['-F', '-n', '0', ...files]];

/** Appends a numbered probe every millisecond until each follower printed one; returns when each went live. */
async function waitLive(followers, file, spawnedAt, tag) {
  const fd = openSync(file, 'a');
  const writtenAt = [];
  const liveAt = new Map();
  try {
    const deadline = performance.now() + 30_000;
    while (liveAt.size < followers.length) {
      if (performance.now() > deadline) throw new Error(`${tag}: a follower never printed a probe`);
      const n = writtenAt.length;
      writtenAt.push(performance.now());
      writeSync(fd, `${tag} ${n}\n`);
      for (const f of followers) {
        if (liveAt.has(f)) continue;
        for (let k = 0; k < n; k++) {
          if (f.arrivals.has(`${tag} ${k}`)) {
            liveAt.set(f, writtenAt[k] - spawnedAt.get(f));
            break;
          }
        }
      }
      await sleep(1);
    }
  } finally {
    closeSync(fd);
  }
  return liveAt;
}

async function latency() {
  const { dir, files } = makeDir('latency');
  const target = files[0];
  const followers = [startFollower('codex-diag tail -f', ...ours(dir)), startFollower('GNU tail -F', ...gnu([target]))];
  const spawned = new Map(followers.map((f) => [f, performance.now()]));
  await waitLive(followers, target, spawned, 'warmup');
  const fd = openSync(target, 'a');
  const samples = new Map(followers.map((f) => [f, []]));
  for (let i = 0; i < LATENCY_LINES; i++) {
    const line = `2026-11-21T09:00:01Z info latency probe ${i}`;
    const t0 = performance.now();
    writeSync(fd, `${line}\n`);
    const deadline = t0 + 5000;
    while (followers.some((f) => !f.arrivals.has(line)) && performance.now() < deadline) await sleep(1);
    for (const f of followers) samples.get(f).push(f.arrivals.has(line) ? f.arrivals.get(line) - t0 : Infinity);
    await sleep(2 + (i % 7)); // spaced writes, so each is its own event
  }
  closeSync(fd);
  await Promise.all(followers.map((f) => f.stop()));
  return followers.map((f) => ({ name: f.name, p50: median(samples.get(f)), p95: percentile(samples.get(f), 95) }));
}

async function startToLive() {
  const { dir, files } = makeDir('live');
  const rounds = { ours: [], gnu: [], node: [] };
  for (let r = 0; r < LIVE_ROUNDS; r++) {
    // The floor for any node process: a bare node printing one line as soon as it runs.
    const spawnedAt = performance.now();
    const bare = startFollower('node', process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1 << 30)']);
    while (!bare.arrivals.has('up')) await sleep(1);
    rounds.node.push(bare.arrivals.get('up') - spawnedAt);
    await bare.stop();
    // One at a time, so neither slows the other's start.
    for (const [key, spec] of [
      ['ours', ours(dir)],
      ['gnu', gnu(files)],
    ]) {
      const spawnedAt = performance.now();
      const f = startFollower(key, ...spec);
      const live = await waitLive([f], files[r % FILES], new Map([[f, spawnedAt]]), `live-${key}-${r}`);
      rounds[key].push(live.get(f));
      await f.stop();
    }
  }
  return { ours: median(rounds.ours), gnu: median(rounds.gnu), node: median(rounds.node) };
}

function cpuMs(pid) {
  // Fields 14 and 15 (utime, stime) in clock ticks; the command name (field 2) may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

async function idleCpu() {
  const { dir, files } = makeDir('idle');
  const followers = [
    startFollower('codex-diag tail -f', ...ours(dir)),
    startFollower('GNU tail -F', ...gnu(files)),
    startFollower('bare idle node', process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)']),
  ];
  const spawned = new Map(followers.map((f) => [f, performance.now()]));
  await waitLive(followers.slice(0, 2), files[5], spawned, 'idle-probe');
  await sleep(200); // let start-up work (JIT, GC) settle
  const before = followers.map((f) => cpuMs(f.child.pid));
  const t0 = performance.now();
  await sleep(IDLE_MS);
  const seconds = (performance.now() - t0) / 1000;
  const used = followers.map((f, i) => cpuMs(f.child.pid) - before[i]);
  await Promise.all(followers.map((f) => f.stop()));
  return followers.map((f, i) => ({ name: f.name, ms: used[i], percent: (used[i] / 10 / seconds).toFixed(2) }));
}

const fmt = (ms) => `${ms.toFixed(2)} ms`.padStart(10);
try {
  const lat = await latency();
  process.stdout.write(`\ntail -f latency from write to print, ${LATENCY_LINES} lines, both processes following the same file (goal p50 ≤ 5 ms):\n`);
  for (const r of lat) process.stdout.write(`  ${r.name.padEnd(20)} p50 ${fmt(r.p50)}   p95 ${fmt(r.p95)}\n`);
  process.stdout.write(`  ratio ours/GNU tail: p50 ${(lat[0].p50 / lat[1].p50).toFixed(2)}x, p95 ${(lat[0].p95 / lat[1].p95).toFixed(2)}x\n`);

  const live = await startToLive();
  process.stdout.write(`\nstart to live on ${FILES} files, median of ${LIVE_ROUNDS} (goal ≤ 300 ms; includes process start-up):\n`);
  process.stdout.write(`  codex-diag tail -f   ${fmt(live.ours)}\n  GNU tail -F          ${fmt(live.gnu)}   ratio ours/GNU ${(live.ours / live.gnu).toFixed(2)}x\n`);
  process.stdout.write(`  bare node, spawn to first output ${fmt(live.node)}   ratio ours/bare node ${(live.ours / live.node).toFixed(2)}x\n`);

  if (process.platform === 'linux') {
    const idle = await idleCpu();
    process.stdout.write(`\nidle CPU with ${FILES} files over ${IDLE_MS / 1000} s (one safety poll inside; /proc clock ticks are 10 ms):\n`);
    for (const r of idle) process.stdout.write(`  ${r.name.padEnd(20)} ${fmt(r.ms)} CPU   ${r.percent}% of a core\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
