import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectBundle } from '../../src/bundle/inspect.js';
import { repackBundle } from '../../src/bundle/repack.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { runCli } from '../../src/cli/program.js';
import { jsonForScript } from '../../src/report/escape.js';
import { explainComponents, contextFields } from '../../src/report/fingerprint-explain.js';
import { PAGE_SCRIPT, renderReportPage, REPORT_CSP } from '../../src/report/page.js';
import type { DataDirReportData } from '../../src/report/report-data.js';
import { REPORT_CSS } from '../../src/report/styles.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { buildStoryBundle } from './fixtures.js';

const START = Date.UTC(2026, 10, 30, 1, 0, 0);
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('codex-diag-report-unit-');
});
afterEach(() => tmp.cleanup());

const emptyDataDir: DataDirReportData = {
  kind: 'data-dir',
  dataDir: '/d',
  generatedAt: new Date(START).toISOString(),
  bundles: [],
  occurrences: [],
  fingerprints: [],
  outbox: { pending: [], failed: [] },
      heldBack: { total: 0, byReason: {}, fingerprints: [] },
  crashDumps: null,
  state: null,
  stateProblem: null,
  startup: { launches: [], p50: null, p95: null },
};

describe('jsonForScript', () => {
  it('never lets data close or confuse the script element, and reads back unchanged', () => {
    const hostile = fc.oneof(fc.string(), fc.constantFrom('</script>', '<!--', ']]>', '\u2028', '\u2029', '&amp;', '</SCRIPT >'));
    fc.assert(
      fc.property(fc.dictionary(hostile, fc.oneof(hostile, fc.array(hostile), fc.integer())), (value) => {
        const out = jsonForScript(value);
        expect(out).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(out)).toEqual(value);
      }),
    );
  });
});

describe('the page', () => {
  it('pins its one script and its stylesheet by hash and allows nothing else to load', () => {
    const html = renderReportPage(emptyDataDir, { title: '<title> & "x"', source: 'test' });
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(script).toBe(PAGE_SCRIPT);
    expect(style).toBe(REPORT_CSS);
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(REPORT_CSP).toContain(`script-src ${sha(script)}`);
    expect(REPORT_CSP).toContain(`style-src ${sha(style)}`);
    expect(html).toContain('<title>&#60;title&#62; &#38; &#34;x&#34;</title>');
    // Nothing that could load: no src, no link, no url(), no @import.
    // (The SVG namespace is a name, never fetched.)
    expect(html.replaceAll("'http://www.w3.org/2000/svg'", '')).not.toMatch(/\ssrc=|<link|url\(|@import|https?:\/\//);
  });

  it('keeps markup, script and style under 150 KB (the data comes on top)', () => {
    const bytes = Buffer.byteLength(renderReportPage(emptyDataDir, { title: 'r', source: 's' }));
    expect(bytes).toBeLessThan(150 * 1024);
  });

  it('uses no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval in its script', () => {
    expect(PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });
});

describe('explainComponents', () => {
  it('says where each component came from and what was normalised away', () => {
    const incident = { kind: 'render-process-gone', reason: 'crashed', exitCode: 139, url: 'app://codex/chat/8f3a9b2c7d?tab=2#m', pid: 7 };
    const rows = explainComponents(['fp1', 'kind:render-process-gone', 'reason:crashed', 'exit:SIGSEGV', 'host:codex', 'route:/chat/:id'], incident);
    const byName = Object.fromEntries(rows.map((r) => [r.component, r]));
    expect(byName['fp1']!.meaning).toContain('algorithm version');
    expect(byName['exit:SIGSEGV']!.from).toBe('exitCode = 139');
    expect(byName['exit:SIGSEGV']!.normalised.join(' ')).toContain("139 is a shell's 128 + signal number");
    expect(byName['route:/chat/:id']!.normalised.join(' ')).toMatch(/query string dropped.*fragment dropped.*8f3a9b2c7d/);
    expect(contextFields(rows.map((r) => r.component), incident)).toEqual([['pid', '7']]);
  });

  it('explains Windows statuses, sidecar commands and components it does not know', () => {
    const gpu = explainComponents(['exit:0xC0000005'], { kind: 'child-process-gone', exitCode: -1073741819 });
    expect(gpu[0]!.normalised.join(' ')).toContain('Windows status');
    const sidecar = explainComponents(['command:codex app-server'], { kind: 'sidecar-exit', command: '/opt/codex/bin/codex app-server --port 4500' });
    expect(sidecar[0]!.normalised.join(' ')).toContain('arguments from the first option');
    expect(explainComponents(['future:thing'], {})[0]!.meaning).toContain('does not describe');
  });
});

describe('report.html in bundles', () => {
  it('is left out, and the manifest says so, when the size bound has no room for it', async () => {
    const { buildBundle } = await import('../../src/bundle/builder.js');
    const { redactor, storyLines } = await import('./fixtures.js');
    const built = await buildBundle(
      { incident: null, fingerprint: null, lines: storyLines(START), state: null, app: { name: 'Codex', version: '1' } },
      { outDir: tmp.dir, redactor, bounds: { maxBundleBytes: 64 * 1024 + 4096 + 8000 } },
    );
    const { files } = await readZip(built.path);
    expect(files.has('report.html')).toBe(false);
    expect(built.manifest.truncation.report).toMatch(/^report\.html left out: its \d+ bytes do not fit/);
    expect((await inspectBundle(built.path, { bounds: { maxBundleBytes: 64 * 1024 + 4096 + 8000 } })).problems).toEqual([]);
  });

  it('is dropped by a re-pack, which would otherwise carry lines the bundle no longer has', async () => {
    const built = await buildStoryBundle({ start: START, outDir: tmp.dir });
    const repacked = await repackBundle(built.path, path.join(tmp.dir, 'small.zip'), { maxLines: 5 });
    expect(repacked.manifest.files.map((f) => f.path)).not.toContain('report.html');
    expect(repacked.manifest.truncation.report).toBe('report.html left out by the re-pack');
    expect((await inspectBundle(repacked.path)).ok).toBe(true);
  });
});

describe('codex-diag report BUNDLE: bad input', () => {
  it('exit 2 with one line for a missing bundle or a file that is not one, 1 when the output cannot be written; --out picks the path', async () => {
    let io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', 'missing.zip'], io)).toBe(2);
    expect(io.err()).toMatch(/^codex-diag: .*missing\.zip: no such bundle\n$/);
    writeFileSync(path.join(tmp.dir, 'junk.zip'), 'junk');
    io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', 'junk.zip'], io)).toBe(2);
    expect(io.err().split('\n')).toHaveLength(2);
    const built = await buildStoryBundle({ start: START, outDir: tmp.dir });
    io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', built.path, '--out', 'no-such-dir/r.html'], io)).toBe(1);
    expect(io.err()).toMatch(/cannot write .*r\.html/);
    io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', built.path, '--out', 'r.html'], io)).toBe(0);
    expect(io.out()).toBe(`${path.join(tmp.dir, 'r.html')}\n`);
  });
});
