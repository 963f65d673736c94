import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../src/bundle/zip-reader.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const cli = path.resolve('dist/cli/main.js');

describe('codex-diag demo (built CLI, real processes)', () => {
  it('runs the whole pipeline and leaves verified, redacted bundles that reached the ingest', async () => {
    const dir = makeTempDir('codex-diag-demo-test-').dir;
    const { stdout } = await run(process.execPath, [cli, 'demo', '--json', '--quiet', '--dir', dir], {
      timeout: 60_000,
      env: { ...process.env, SENTRY_DSN: '', CODEX_DIAG_DSN: '' },
    });
    const summary = JSON.parse(stdout) as {
      bundles: Array<{ path: string; title: string; fingerprint: string }>;
      incidents: Array<{ title: string; bundled: boolean }>;
      sentry: { builtIn: boolean; sent: string[]; events: Array<{ eventId: string; level: string; fingerprint: string[]; breadcrumbs: number; attachments: Array<{ filename: string }> }> };
      rendererReloads: number;
      inspected: { ok: boolean; problems: string[] };
      report: { path: string; bytes: number } | null;
      metrics: { methods: Record<string, { count: number }> };
    };

    // A sidecar panic and a renderer crash each make one bundle; the repeated crash is counted, not bundled.
    expect(summary.bundles.map((b) => b.title).sort()).toEqual([
      'Renderer crashed (SIGSEGV) at /chat/:id',
      "Sidecar 'node fake-app-server.js' exited with code 101",
    ]);
    expect(summary.incidents.filter((i) => !i.bundled)).toHaveLength(1);
    expect(summary.rendererReloads).toBeGreaterThanOrEqual(1);
    expect(summary.inspected).toEqual(expect.objectContaining({ ok: true, problems: [] }));
    // It points at the report of its bundles; each bundle carries its own report.html.
    expect(summary.report?.path).toBe(path.join(dir, 'data', 'report.html'));
    const report = readFileSync(summary.report!.path, 'utf8');
    for (const bundle of summary.bundles) {
      expect(report).toContain(path.basename(bundle.path));
      expect((await readZip(bundle.path)).files.has('report.html')).toBe(true);
    }
    expect(Object.values(summary.metrics.methods).reduce((n, m) => n + m.count, 0)).toBe(40);

    // Every bundle arrived in Sentry once, grouped by its fingerprint, with both attachments.
    expect(summary.sentry.builtIn).toBe(true);
    expect(summary.sentry.events).toHaveLength(2);
    expect(summary.sentry.sent.sort()).toEqual(summary.sentry.events.map((e) => e.eventId).sort());
    for (const event of summary.sentry.events) {
      expect(event.fingerprint[0]).toBe('fp1');
      expect(event.breadcrumbs).toBeGreaterThan(50);
      expect(event.attachments.map((a) => a.filename)).toContain('tail.log');
    }

    // The session logged secrets by accident; none of them is in any bundle entry.
    const secrets = ['sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'ada.lovelace@example.com', 'sk-live-demo-not-a-real-key-1234567890', 'hunter2'];
    for (const bundle of summary.bundles) {
      const { files } = await readZip(bundle.path);
      for (const [name, bytes] of files) {
        for (const secret of secrets) expect(bytes.includes(secret), `${secret} in ${name}`).toBe(false);
      }
    }
    // The app's log records carry their message once: a second `msg` key (the object logged with a
    // `msg` of its own) would hide the first from every parser and leave breadcrumbs without it.
    const logLines = readdirSync(path.join(dir, 'logs'))
      .filter((f) => f.endsWith('.log'))
      .flatMap((f) => readFileSync(path.join(dir, 'logs', f), 'utf8').split('\n').filter((l) => l.startsWith('{')));
    expect(logLines.length).toBeGreaterThan(50);
    for (const line of logLines) expect(line.split('"msg":').length - 1, line).toBe(1);

    // And none reached the ingest (its envelopes are written to disk).
    for (const file of readdirSync(path.join(dir, 'ingest'))) {
      const body = readFileSync(path.join(dir, 'ingest', file), 'utf8');
      for (const secret of secrets) expect(body.includes(secret), `${secret} in ${file}`).toBe(false);
    }
  });
});
