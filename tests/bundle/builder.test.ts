import { existsSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle, type BundleInput } from '../../src/bundle/builder.js';
import { inspectBundle } from '../../src/bundle/inspect.js';
import { bundleManifestSchema } from '../../src/bundle/manifest.js';
import { EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { repackBundle } from '../../src/bundle/repack.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import type { TailLine } from '../../src/logs/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { TEST_SYSTEM } from './helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const NOW = Date.UTC(2026, 10, 21, 1, 2, 3);
const redactor = createRedactor(EXAMPLE_CONTEXT);
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

function pinoLine(i: number, extra: Record<string, unknown> = {}): TailLine {
  return { source: 'app.1.log', text: JSON.stringify({ level: 30, time: NOW - 1000 + i, pid: 7, msg: `line ${i}`, ...extra }) };
}

function input(lines: TailLine[], overrides: Partial<BundleInput> = {}): BundleInput {
  return {
    incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1', occurredAt: NOW - 5000 },
    fingerprint: { fingerprint: 'fp1-0123456789abcdef', components: ['fp1', 'render-process-gone', 'crashed'], title: 'Renderer crashed at /chat/:id' },
    lines,
    state: { version: 3, startup: { renderer_ready_latency_ms: 850 } },
    app: { name: 'Codex', version: '1.2.3' },
    system: TEST_SYSTEM,
    ...overrides,
  };
}

const options = () => ({ outDir: tmp.dir, redactor, clock: new ManualClock(NOW), newId: () => '3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f' });

describe('buildBundle', () => {
  it('writes the v1 entries, a valid manifest with every sha256, mode 0600 and the contract name', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => pinoLine(i));
    const built = await buildBundle(input(lines, { metrics: { p50: 12 } }), options());
    expect(path.basename(built.path)).toBe('codex-diag-20261121T010203-fp1-01234567.zip');
    expect(statSync(built.path).mode & 0o777).toBe(0o600);
    expect(statSync(built.path).size).toBe(built.bytes);

    const { entries, files } = await readZip(built.path);
    expect(entries.map((e) => e.name)).toEqual([
      'manifest.json',
      'incident.json',
      'logs/tail.log',
      'logs/tail.jsonl',
      'state.json',
      'metrics.json',
      'system.json',
      'report.html',
    ]);
    const manifest = bundleManifestSchema.parse(JSON.parse(files.get('manifest.json')!.toString()));
    expect(manifest.bundleId).toBe('3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f');
    expect(manifest.createdAt).toBe('2026-11-21T01:02:03.000Z');
    expect(manifest.incident).toMatchObject({ kind: 'render-process-gone', fingerprint: 'fp1-0123456789abcdef', occurredAt: '2026-11-21T01:01:58.000Z' });
    expect(manifest.platform).toEqual({ os: 'linux', arch: 'x64', release: '6.1.0-test' });
    expect(manifest.files.map((f) => f.path)).toEqual([...entries.map((e) => e.name)].slice(1));
    expect(manifest.truncation).toMatchObject({ truncated: false, linesIncluded: 20, linesAvailable: 20 });

    const tailLog = files.get('logs/tail.log')!.toString().split('\n');
    expect(tailLog[0]).toBe(lines[0]!.text);
    expect(tailLog).toHaveLength(21);
    const first = JSON.parse(files.get('logs/tail.jsonl')!.toString().split('\n')[0]!);
    expect(first).toEqual({ time: new Date(NOW - 1000).toISOString(), level: 'info', msg: 'line 0', source: 'app.1.log', line: lines[0]!.text });
    expect(JSON.parse(files.get('system.json')!.toString())).toMatchObject({ os: 'linux', electron: '41.7.1', app: { name: 'Codex', version: '1.2.3' } });

    const verdict = await inspectBundle(built.path);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('names a manual export "manual", writes incident.json as null and never replaces an earlier bundle', async () => {
    const a = await buildBundle(input([pinoLine(1)], { incident: null, fingerprint: null }), options());
    const b = await buildBundle(input([pinoLine(1)], { incident: null, fingerprint: null }), options());
    expect(path.basename(a.path)).toBe('codex-diag-20261121T010203-manual.zip');
    expect(path.basename(b.path)).toBe('codex-diag-20261121T010203-manual-2.zip');
    const { files } = await readZip(a.path);
    expect(files.get('incident.json')!.toString().trim()).toBe('null');
    expect(a.manifest.incident).toBeNull();
    expect(files.has('metrics.json')).toBe(false);
  });

  it('keeps the newest 1000 lines, cuts long lines with a marker, and says what was cut', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => pinoLine(i));
    lines[1400] = { source: 'app.1.log', text: `big ${'x'.repeat(70 * 1024)}` };
    const built = await buildBundle(input(lines), options());
    expect(built.lines).toBe(1000);
    const { files } = await readZip(built.path);
    const tail = files.get('logs/tail.log')!.toString().split('\n');
    expect(JSON.parse(tail[0]!).msg).toBe('line 500');
    expect(JSON.parse(tail[998]!).msg).toBe('line 1498');
    expect(Buffer.byteLength(tail[900]!)).toBeLessThan(64 * 1024 + 40);
    expect(tail[900]).toMatch(/…\[cut \d+ bytes\]$/);
    expect(built.manifest.truncation).toMatchObject({ truncated: true, droppedByLineLimit: 500, linesCut: 1, linesIncluded: 1000, droppedBySizeLimit: 0 });
  });

  it('drops the oldest lines first to stay under the bundle size bound', async () => {
    const lines = Array.from({ length: 600 }, (_, i) => pinoLine(i, { pad: 'p'.repeat(900), email: `u${i}@example.com` }));
    const bounds = { maxBundleBytes: 600_000 };
    const built = await buildBundle(input(lines), { ...options(), bounds });
    expect(built.bytes).toBeLessThan(600_000);
    const t = built.manifest.truncation;
    expect(t.droppedBySizeLimit).toBeGreaterThan(0);
    expect(t.linesIncluded + t.droppedBySizeLimit).toBe(600);
    const { files } = await readZip(built.path);
    const tail = files.get('logs/tail.log')!.toString().trimEnd().split('\n');
    expect(JSON.parse(tail[tail.length - 1]!).msg).toBe('line 599');
    expect(JSON.parse(tail[0]!).msg).toBe(`line ${t.droppedBySizeLimit}`);
    // Counts describe what is in the bundle, not what was dropped.
    expect(built.redactions.email).toBe(t.linesIncluded);
    const sizes = [...files.values()].reduce((s, b) => s + b.length, 0);
    expect(sizes).toBeLessThan(600_000);
  });

  it('leaves no partial file when the final rename fails', async () => {
    const target = path.join(tmp.dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep.txt'), 'x');
    await expect(buildBundle(input([pinoLine(1)]), { ...options(), outDir: undefined, outPath: target })).rejects.toMatchObject({ code: 'IO' });
    expect(readdirSync(tmp.dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });

  it('re-packs a smaller valid bundle with the same id and incident', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => pinoLine(i, { user: `u${i}@example.com` }));
    const built = await buildBundle(input(lines), options());
    const dest = path.join(tmp.dir, 'small.zip');
    const small = await repackBundle(built.path, dest, { maxLines: 10 });
    expect(small.bundleId).toBe(built.bundleId);
    expect(small.lines).toBe(10);
    expect(small.manifest.incident).toEqual(built.manifest.incident);
    expect(small.redactions.email).toBe(10);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    const verdict = await inspectBundle(dest);
    expect(verdict.problems).toEqual([]);
    const tail = verdict.files.get('logs/tail.log')!.toString().trimEnd().split('\n');
    expect(tail).toHaveLength(10);
    expect(JSON.parse(tail[0]!).msg).toBe('line 40');
    expect(existsSync(built.path)).toBe(true);
  });
});
