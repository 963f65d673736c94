#!/usr/bin/env node
// Start-up of the `codex-diag` CLI: `--version` and `tail -n 10` (and `tail -n 1000`), each in
// fresh processes, beside a bare `node -e 0` in the same run (rounds interleaved, so a slow moment
// of the machine hits every command alike). Prints medians and the ratio to bare node
// (goal ≤ 1.5×), then how many modules each command loads and whether zod is among them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 21);
const GOAL = 1.5;
if (!existsSync(cli)) {
  console.error(`missing ${cli}: run npm run build first`);
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-cli-bench-'));
const logDir = path.join(work, 'logs');
mkdirSync(logDir);
// Two rotated pino files of 2,000 JSON lines each: a realistic small log dir.
for (const name of ['main.1.log', 'main.2.log']) {
  const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ level: 30, time: 1_700_000_000_000 + i, pid: 1, msg: `request ${i} done` }));
  writeFileSync(path.join(logDir, name), `${lines.join('\n')}\n`);
}

const commands = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'codex-diag --version', args: [cli, '--version'], goal: true },
  { name: 'codex-diag tail -n 10', args: [cli, 'tail', '-n', '10', '--log-dir', logDir], goal: true },
  { name: 'codex-diag tail -n 1000', args: [cli, 'tail', '-n', '1000', '--log-dir', logDir] },
];

function timeOnce(args) {
  const started = process.hrtime.bigint();
  // maxBuffer: `tail -n 1000` prints more than the 1 MiB default on wide lines.
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.error?.message ?? result.stderr}`);
  return ms;
}

/** The files a command loads: ES modules via a load hook, CommonJS via require.cache at exit. */
function modulesLoaded(args) {
  const out = path.join(work, 'loaded.txt');
  rmSync(out, { force: true });
  const hooks = `import { appendFileSync } from 'node:fs'; import { fileURLToPath } from 'node:url';
export async function load(url, context, next) { const r = await next(url, context); if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, fileURLToPath(url) + '\\n'); return r; }`;
  const preload = `import { register, createRequire } from 'node:module'; import { appendFileSync } from 'node:fs';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});
process.on('exit', () => appendFileSync(${JSON.stringify(out)}, Object.keys(createRequire('/').cache).join('\\n') + '\\n'));`;
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, ...args], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status} while counting modules`);
  return [...new Set(readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('/')))];
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

try {
  for (const c of commands) timeOnce(c.args); // warm the file cache
  const samples = commands.map(() => []);
  for (let r = 0; r < ROUNDS; r++) commands.forEach((c, i) => samples[i].push(timeOnce(c.args)));
  const base = median(samples[0]);
  console.log(`CLI start-up, median of ${ROUNDS} fresh processes each, interleaved (Node ${process.version})`);
  console.log(`${'command'.padEnd(26)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)} ${'vs node -e 0'.padStart(13)} ${'modules'.padStart(8)}  zod`);
  let missed = 0;
  commands.forEach((c, i) => {
    const m = median(samples[i]);
    const ratio = m / base;
    const files = c.args[0] === '-e' ? [] : modulesLoaded(c.args);
    const zod = files.some((f) => f.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`));
    const verdict = c.goal ? (ratio <= GOAL ? `  (goal ≤ ${GOAL}x: met)` : `  (goal ≤ ${GOAL}x: NOT met)`) : '';
    if (c.goal && ratio > GOAL) missed++;
    console.log(
      `${c.name.padEnd(26)} ${m.toFixed(1).padStart(10)} ${Math.min(...samples[i]).toFixed(1).padStart(8)} ${`${ratio.toFixed(2)}x`.padStart(13)} ${String(files.length).padStart(8)}  ${c.args[0] === '-e' ? '-' : zod ? 'yes' : 'no'}${verdict}`,
    );
  });
  if (missed) console.log(`${missed} start-up goal(s) not met on this run (figures are reported, not enforced)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
