#!/usr/bin/env node
// Import cost of `codex-diag` (dist/index.js) and `codex-diag/electron`, each in fresh
// processes (median of RUNS), beside importing @sentry/node in the same run; prints the
// ratio (goal: codex-diag under a quarter of @sentry/node) and which modules the import loads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const RUNS = Number(process.env.IMPORT_BENCH_RUNS ?? 10);

const index = path.join(root, 'dist', 'index.js');
// Until the package entry exists, measure the embed API module it re-exports.
const codexDiag = existsSync(index) ? index : path.join(root, 'dist', 'diagnostics', 'index.js');
const targets = [
  { name: 'codex-diag', specifier: pathToFileURL(codexDiag).href },
  { name: 'codex-diag/electron', specifier: pathToFileURL(path.join(root, 'dist', 'electron', 'index.js')).href },
  { name: '@sentry/node', specifier: '@sentry/node' },
];
for (const t of targets.slice(0, 2)) {
  if (!existsSync(fileURLToPath(t.specifier))) {
    console.error(`missing ${fileURLToPath(t.specifier)}: run npm run build first`);
    process.exit(1);
  }
}

/** One fresh process: milliseconds spent in `await import(specifier)`. */
function timeImport(specifier) {
  const code = `const t0 = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t0);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`import of ${specifier} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/** The module URLs an import loads, recorded by a resolve hook in a separate, untimed process. */
function modulesLoaded(specifier) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-diag-import-'));
  const out = path.join(dir, 'loaded.txt');
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(out)}, r.url + '\\n'); return r; }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(hooks))});`;
  const result = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`],
    { cwd: root, encoding: 'utf8' },
  );
  const urls = result.status === 0 && existsSync(out) ? [...new Set(readFileSync(out, 'utf8').trim().split('\n'))] : [];
  rmSync(dir, { recursive: true, force: true });
  return urls.filter((u) => u.startsWith('file:'));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const samples = new Map(targets.map((t) => [t.name, []]));
// Interleaved, so a slow moment of the machine hits every target alike.
for (let i = 0; i < RUNS; i++) for (const t of targets) samples.get(t.name).push(timeImport(t.specifier));

const sentry = median(samples.get('@sentry/node'));
console.log(`import cost, median of ${RUNS} fresh processes (Node ${process.version})`);
console.log(`${'module'.padEnd(22)} ${'median ms'.padStart(10)} ${'vs @sentry/node'.padStart(16)}`);
for (const t of targets) {
  const m = median(samples.get(t.name));
  console.log(`${t.name.padEnd(22)} ${m.toFixed(1).padStart(10)} ${(m / sentry).toFixed(3).padStart(16)}`);
}
const ratio = median(samples.get('codex-diag')) / sentry;
console.log(`ratio codex-diag / @sentry/node = ${ratio.toFixed(3)} (goal < 0.25: ${ratio < 0.25 ? 'met' : 'NOT met'})`);
if (codexDiag !== index) console.log('(dist/index.js not built yet: measured dist/diagnostics/index.js, the embed API it re-exports)');

for (const t of targets.slice(0, 2)) {
  const loaded = modulesLoaded(t.specifier);
  const packages = new Set();
  const own = [];
  for (const url of loaded) {
    const file = fileURLToPath(url);
    const nm = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    if (nm >= 0) {
      const rest = file.slice(nm + 14).split(path.sep);
      packages.add(rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
    } else own.push(path.relative(root, file));
  }
  console.log(`\n${t.name} loads ${loaded.length} files: ${own.length} of its own, packages: ${[...packages].join(', ') || 'none'}`);
  console.log(`  ${own.join('\n  ')}`);
  const heavy = ['@sentry/node', '@sentry/core', 'archiver', 'pino', 'pino-roll', 'zod'].filter((p) => packages.has(p));
  console.log(`  heavy modules loaded: ${heavy.join(', ') || 'none'}`);
}
