#!/usr/bin/env node
// Redaction speed and memory, each beside baselines from the same run:
//  - in-process: session.line() over realistic pino logs (8 MB), once as written and once with the
//    user's name on every line (the home directory in a file path, and the bare name in the host name,
//    as a Mac's `dana-mbp` has it); beside a plain copy of the same lines (each encoded to bytes:
//    the floor of any per-line pass) and a sed-like single-regex pass (`s/<user>/[user]/g` on
//    each line: what one cheap rule costs). Each figure is the best of 21 passes, by the wall clock and,
//    as the machine may be shared, by this process's CPU time: three attempts of 7 after an untimed
//    pass, one at the start, one after the single passes, one after the CLI run, so a few seconds of
//    contention do not decide a figure (baselines and redactor alike). Printed last.
//  - where the time goes: on the same lines, by CPU time, the passes every clean line costs taken one by
//    one (a bare JavaScript loop reading each character, the case-insensitive scan for the secret-key
//    stems alone, the token-run skip scan, the prefix automaton over whole lines in JavaScript, and the
//    same automaton with the token runs in the WebAssembly scan kernel the prefilter uses), beside the
//    same copy.
//  - `codex-diag redact` on a 100 MB single line (a JSON record with one huge field): wall time and
//    the child's peak RSS beside the input size (target ≤ 4×), and beside a bare `node` that streams the
//    same file to /dev/null (the runtime's own floor).
// Data: .bench-data/redact/ (gitignored), built once and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedactor } from '../dist/bundle/redactor.js';
import { DEFAULT_RULES } from '../dist/bundle/redaction-rules.js';
import { MAYBE_SECRET } from '../dist/bundle/secret-keys.js';
import { tokenRuns } from '../dist/bundle/token-shape.js';
import { buildLiteralDfa, compileLiterals } from '../dist/bundle/literal-automaton.js';
import { createLiteralScanKernel } from '../dist/bundle/literal-scan-kernel.js';
import { GENERIC_MIN_LENGTH, isRunChar } from '../dist/bundle/token-shape.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataRoot = path.join(root, '.bench-data', 'redact');
const MB = 1_000_000;
const USER = 'dana';
const HOME = `/Users/${USER}`;

/** Realistic pino records: a desktop app's main-process log (requests, IPC, windows, updates, errors). */
function records(count, withUser) {
  const out = [];
  const msgs = [
    (i) => ({ msg: 'request finished', method: 'GET', url: `https://chatgpt.com/backend-api/conversation/3f2a9c1b-8e4d-4b7a-9c2e-${(100000000000 + i).toString(16)}`, status: 200, ms: i % 97 }),
    (i) => ({ msg: 'ipc', channel: i % 2 ? 'auth:status' : 'window:focus', ms: i % 7 }),
    (i) => ({ msg: 'window bounds', bounds: { x: 0, y: 25, width: 1440, height: 875 }, display: i % 3 }),
    (i) => ({ msg: 'renderer metrics', rss: 210_000_000 + i, heapUsed: 88_000_000 + i, cpu: (i % 100) / 10 }),
    (i) => ({ msg: 'update check', version: '1.2.3-beta.4', channel: 'stable', next: 3600 }),
    (i) => ({ msg: 'turn completed', conversation_id: '3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f', usage: { input_tokens: 1234 + i, output_tokens: 56 } }),
    (i) => ({ msg: `sidecar stderr: loaded plugin ${i % 11} in ${i % 300} ms` }),
    (i) => ({ msg: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', validatedURL: 'https://cdn.example.com/app.js' }),
  ];
  for (let i = 0; i < count; i++) {
    const base = { level: i % 17 === 0 ? 40 : 30, time: 1795222547421 + i, pid: 4242, hostname: withUser ? `${USER}-mbp` : 'studio-mac', name: 'codex-desktop' };
    const body = msgs[i % msgs.length](i);
    const file = withUser ? { file: `${HOME}/Library/Application Support/Codex/logs/main-${i % 5}.log` } : {};
    out.push(JSON.stringify({ ...base, ...body, ...file }));
  }
  return out;
}

function linesOfBytes(bytes, withUser) {
  const lines = [];
  let total = 0;
  const batch = records(20_000, withUser);
  while (total < bytes) {
    for (const l of batch) {
      lines.push(l);
      total += l.length + 1;
      if (total >= bytes) break;
    }
  }
  return { lines, bytes: total };
}

/**
 * Best of `runs` after one untimed run (the JIT and the WebAssembly tiers settle on the first pass over
 * 8 MB): wall-clock ms and CPU ms (user + system of this process).
 */
function best(fn, runs = 11) {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    fn();
    const used = process.cpuUsage(cpuStarted);
    wall = Math.min(wall, performance.now() - started);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

const fmt = (n) => n.toFixed(1).padStart(8);
const rows = [];
const stageRows = [];

/** CPU ms of the passes a clean line cannot avoid, each alone over every line. */
function stages(lines) {
  const stems = new RegExp(MAYBE_SECRET.source, 'gi');
  const prefixEntries = [...new Set(DEFAULT_RULES.flatMap((r) => r.runLiterals?.literals ?? []))].map((literal) => ({ literal }));
  const prefixes = compileLiterals(prefixEntries);
  const kernel = createLiteralScanKernel(buildLiteralDfa(prefixEntries), isRunChar, GENERIC_MIN_LENGTH);
  const noHit = () => false;
  const count = () => {
    sink++;
  };
  let sink = 0;
  const out = [
    ['bare JS loop reading every character (charCodeAt)', best(() => { for (const l of lines) for (let i = 0; i < l.length; i++) sink = (sink + l.charCodeAt(i)) | 0; }).cpu],
    ['secret-key stems alone: one case-insensitive regex scan', best(() => { for (const l of lines) { stems.lastIndex = 0; while (stems.exec(l) !== null) sink++; } }).cpu],
    ['token runs of 20+ characters (skip scan)', best(() => { for (const l of lines) sink += tokenRuns(l).length; }).cpu],
    ['prefix automaton (~230 prefixes) over every whole line', best(() => { for (const l of lines) prefixes.scan(l, noHit); }).cpu],
    ['the same in the WebAssembly scan kernel, token runs included', best(() => { for (const l of lines) kernel.scan(l, count, count); }).cpu],
  ];
  if (sink === 0.5) console.log(sink);
  return out;
}
let failed = false;

// One redactor for both inputs, as a bundle worker and the CLI keep one: a second one made for the
// second input would leave V8's call sites in the shared rule code holding two sets of closures, and
// the second figure would pay for the bench's setup (about a tenth more instructions per line).
const redactor = createRedactor({ homedir: HOME, username: USER });
const inputs = [
  { name: 'pino logs', withUser: false },
  { name: 'pino logs, user name on every line', withUser: true },
].map(({ name, withUser }) => ({ name, ...linesOfBytes(8 * MB, withUser), figures: null, changed: 0 }));

/**
 * One attempt at every in-process figure (best of 7 each), kept where it beats the attempts before.
 * The bench makes three, spread over its run (at the start, after the single passes, after the CLI's
 * 100 MB line), so a few seconds of a shared machine running slow do not decide a figure; the copy
 * and the sed-like pass get the same attempts as the redactor.
 */
function attempt() {
  for (const input of inputs) {
    const { lines } = input;
    const redactMs = best(() => {
      const session = redactor.session();
      let changed = 0;
      for (const line of lines) if (session.line(line) !== line) changed++;
      input.changed = changed;
    }, 7);
    // A plain copy: each line encoded to bytes, as writing it out would (a string slice is free in V8).
    const copyMs = best(() => {
      const out = new Array(lines.length);
      for (let i = 0; i < lines.length; i++) out[i] = Buffer.from(lines[i]);
      return out;
    }, 7);
    const sed = new RegExp(USER, 'g');
    const sedMs = best(() => {
      const out = new Array(lines.length);
      for (let i = 0; i < lines.length; i++) out[i] = lines[i].replace(sed, '[user]');
      return out;
    }, 7);
    const previous = input.figures ?? { redact: redactMs, copy: copyMs, sed: sedMs };
    const faster = (a, b) => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });
    input.figures = { redact: faster(previous.redact, redactMs), copy: faster(previous.copy, copyMs), sed: faster(previous.sed, sedMs) };
  }
}

attempt();
for (const { name, lines, bytes, figures } of inputs) {
  const mbps = (ms) => bytes / MB / (ms / 1000);
  stageRows.push({ name, copy: mbps(figures.copy.cpu), redact: mbps(figures.redact.cpu), stages: stages(lines).map(([label, ms]) => [label, mbps(ms)]) });
}
attempt();
// --- the CLI on a 100 MB single line ---------------------------------------------------------------
mkdirSync(dataRoot, { recursive: true });
const bigFile = path.join(dataRoot, 'single-line-100mb.jsonl');
const BIG = 100 * MB;
if (!existsSync(bigFile) || statSync(bigFile).size !== BIG) {
  // One pino record whose `blob` field is 100 MB of text with a secret every ~64 KB and the user's home.
  const fd = openSync(bigFile, 'w');
  const head = '{"level":50,"time":1795222547421,"msg":"huge","blob":"';
  const tail = '"}';
  writeSync(fd, head);
  let written = head.length;
  let i = 0;
  const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit; ';
  while (written < BIG - tail.length) {
    let chunk = `${filler.repeat(1100)} token=glpat-Xy9kQ2mN8pL4vR7tW3z${i % 10} path ${HOME}/x${i} `;
    if (written + chunk.length > BIG - tail.length) chunk = chunk.slice(0, BIG - tail.length - written);
    writeSync(fd, chunk);
    written += chunk.length;
    i++;
  }
  writeSync(fd, tail);
  closeSync(fd);
}
const rssProbe = path.join(dataRoot, 'report-rss.cjs');
writeFileSync(rssProbe, "process.on('exit', () => { require('fs').writeSync(2, `\\nMAXRSS ${process.resourceUsage().maxRSS}\\n`); });\n");

function runChild(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--require', rssProbe, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, HOME, USER },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  const rssKb = Number(/MAXRSS (\d+)/.exec(result.stderr ?? '')?.[1] ?? NaN);
  return { ms, rssMb: (rssKb * 1024) / MB, status: result.status, stderr: result.stderr };
}

const cli = runChild([path.join(root, 'dist', 'cli', 'main.js'), 'redact', bigFile]);
const bare = runChild(['-e', `require('fs').createReadStream(${JSON.stringify(bigFile)}).pipe(require('fs').createWriteStream('/dev/null'))`]);
if (cli.status !== 0) {
  console.log(`codex-diag redact failed (exit ${cli.status}): ${cli.stderr.slice(0, 400)}`);
  failed = true;
}
console.log('\ncodex-diag redact on a 100 MB single line');
console.log(`${''.padEnd(38)} ${'seconds'.padStart(8)} ${'peak RSS MB'.padStart(12)} ${'RSS/input'.padStart(10)}`);
console.log(`${'codex-diag redact FILE > /dev/null'.padEnd(38)} ${fmt(cli.ms / 1000)} ${fmt(cli.rssMb).padStart(12)} ${(cli.rssMb / (BIG / MB)).toFixed(2).padStart(10)}`);
console.log(`${'bare node stream copy to /dev/null'.padEnd(38)} ${fmt(bare.ms / 1000)} ${fmt(bare.rssMb).padStart(12)} ${(bare.rssMb / (BIG / MB)).toFixed(2).padStart(10)}`);
console.log(`throughput ${(BIG / MB / (cli.ms / 1000)).toFixed(1)} MB/s; target: peak RSS ≤ 4× the input`);
attempt();
for (const { name, bytes, figures, changed, lines } of inputs) {
  const mbps = (ms) => bytes / MB / (ms / 1000);
  for (const clock of ['wall', 'cpu']) {
    rows.push({ name, clock, redact: mbps(figures.redact[clock]), copy: mbps(figures.copy[clock]), sed: mbps(figures.sed[clock]), changed, lines: lines.length });
  }
}
console.log('\nin-process redaction (session.line per line, 8 MB, best of 21: three attempts of 7 after a warm-up pass, spread over the bench), MB/s by the wall clock and by CPU time');
console.log(`${'input'.padEnd(38)} ${'clock'.padEnd(5)} ${'redact'.padStart(8)} ${'copy'.padStart(8)} ${'sed-like'.padStart(8)}  redact/copy  redact/sed   lines changed`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(38)} ${r.clock.padEnd(5)} ${fmt(r.redact)} ${fmt(r.copy)} ${fmt(r.sed)}  ${(r.redact / r.copy).toFixed(3).padStart(11)}  ${(r.redact / r.sed).toFixed(2).padStart(10)}   ${r.changed}/${r.lines}`,
  );
}
console.log('target: ≥ 100 MB/s for both inputs (a figure under it is reported, not failed: the machine may be shared)');

console.log('\nwhere the time goes: single passes over the same lines, MB/s by CPU time (best of 11 after a warm-up pass; session.line and copy from the first attempt)');
for (const r of stageRows) {
  console.log(`${r.name}: copy ${r.copy.toFixed(1)}, session.line ${r.redact.toFixed(1)}`);
  for (const [label, value] of r.stages) console.log(`  ${label.padEnd(58)} ${fmt(value)}   ${(value / r.copy).toFixed(3)} of copy`);
}

process.exitCode = failed ? 1 : 0;
