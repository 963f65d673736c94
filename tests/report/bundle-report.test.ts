import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltBundle } from '../../src/bundle/builder.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { artifact, launchChromium, openReport, type OpenedReport } from './browser.js';
import { buildStoryBundle, EXPECTED_EVENTS, HOSTILE_TEXTS, LAUNCHES, METHODS, SEARCH_NEEDLE } from './fixtures.js';

const START = Date.UTC(2026, 10, 30, 1, 0, 0);
const tmp = makeTempDir('codex-diag-report-test-');
let browser: Browser;
let bundle: BuiltBundle;
let reportFile: string;
let jsonl: Array<{ level: string; line: string }>;
let opened: OpenedReport;

beforeAll(async () => {
  browser = await launchChromium();
  bundle = await buildStoryBundle({ start: START, outDir: tmp.dir });
  const { files } = await readZip(bundle.path);
  // The report a reviewer opens after unzipping the bundle downloaded from Sentry.
  reportFile = path.join(tmp.dir, 'unzipped-report.html');
  writeFileSync(reportFile, files.get('report.html')!);
  jsonl = files.get('logs/tail.jsonl')!.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; line: string });
  opened = await openReport(browser, reportFile);
});

afterAll(async () => {
  await browser?.close();
  tmp.cleanup();
});

describe('report.html inside a bundle, in Chromium', () => {
  it('requests nothing but itself and logs no error', async () => {
    writeFileSync(artifact('bundle-report.html'), readFileSync(reportFile));
    await opened.page.screenshot({ path: artifact('bundle-light.png'), fullPage: true });
    for (const section of ['incident', 'timeline', 'logs', 'startup', 'metrics']) {
      await opened.page.locator(`#${section}`).screenshot({ path: artifact(`bundle-${section}.png`) });
    }
    expect(opened.requests).toEqual([opened.url]);
    expect(opened.errors).toEqual([]);
  });

  it('keeps hostile log lines inert and shows them as text', async () => {
    const { page } = opened;
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    // Nothing from the data became an element: no images, no scripts but the page's two, no event attributes.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.evaluate("[...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length")).toBe(0);
    const texts = await page.locator('#log-lines .text').allTextContents();
    for (const hostile of HOSTILE_TEXTS) {
      // The tail shows each line as the log file holds it: a JSON line, quotes escaped.
      const asLogged = JSON.stringify(hostile).slice(1, -1);
      expect(texts.some((t) => t.includes(asLogged)), `shown as text: ${asLogged}`).toBe(true);
    }
    // The incident's URL carried markup in its fragment: it is shown, as text, where the route is explained.
    await expect(page.locator('#incident').textContent()).resolves.toContain('"><script>window.__pwned=9</script>');
    await expect(page.locator('#metrics').textContent()).resolves.toContain(METHODS[2]);
  });

  it('filters the log tail by level and by text', async () => {
    const { page } = opened;
    const visible = () => page.locator('#log-lines li:not([hidden])').count();
    expect(await visible()).toBe(jsonl.length);
    const info = jsonl.filter((l) => l.level === 'info').length;
    expect(info).toBeGreaterThan(0);
    await page.locator('#level-info').uncheck();
    await expect.poll(visible).toBe(jsonl.length - info);
    await expect.poll(() => page.locator('#log-lines li[data-level="info"]:not([hidden])').count()).toBe(0);
    await page.locator('#level-info').check();
    await page.locator('#log-search').fill(SEARCH_NEEDLE);
    const matching = jsonl.filter((l) => l.line.toLowerCase().includes(SEARCH_NEEDLE)).length;
    expect(matching).toBe(2);
    await expect.poll(visible).toBe(matching);
    await expect.poll(() => page.locator('#log-status').textContent()).toBe(`${matching} of ${jsonl.length} lines shown`);
    await page.locator('#log-search').fill('');
    await expect.poll(visible).toBe(jsonl.length);
  });

  it('is usable from the keyboard: Tab reaches the filter and the search', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(opened.url);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
      let reached = false;
      for (let i = 0; i < 80 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate("document.activeElement?.id === 'log-search'");
      }
      expect(reached).toBe(true);
      await page.keyboard.type(SEARCH_NEEDLE);
      await expect.poll(() => page.locator('#log-lines li:not([hidden])').count()).toBe(2);
      // The last level checkbox comes just before the search box; Space toggles it.
      await page.keyboard.press('Shift+Tab');
      const level = await page.evaluate<string | undefined>('document.activeElement.dataset.level');
      expect(level).toBeTruthy();
      await page.keyboard.press('Space');
      await expect.poll(() => page.locator(`#level-${level}`).isChecked()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('draws the timeline, startup and request charts with one mark per data point', async () => {
    const { page } = opened;
    const timeline = page.locator('#timeline svg.chart');
    for (const [kind, n] of Object.entries(EXPECTED_EVENTS)) {
      expect(await timeline.locator(`.pt[data-kind="${kind}"]`).count(), kind).toBe(n);
    }
    // The stacked level bars add up to every timed line.
    const timed = jsonl.length - 1;
    const barTitles = await timeline.locator('g.bucket > title').allTextContents();
    const total = barTitles.flatMap((t) => [...t.matchAll(/ (\d+)(?:,|$)/g)].map((m) => Number(m[1]))).reduce((a, b) => a + b, 0);
    expect(total).toBe(timed);
    expect(await page.locator('#timeline .note').textContent()).toContain('1 line(s) carry no time');

    const ready = LAUNCHES.filter((l) => l !== null).length;
    expect(await page.locator('#startup svg.chart .pt[data-kind="launch"]').count()).toBe(ready);
    expect(await page.locator('#startup svg.chart .pt[data-kind="missing"]').count()).toBe(LAUNCHES.length - ready);
    expect(await page.locator('#startup svg.chart .ref').count()).toBe(2);

    for (const key of ['p50', 'p95', 'p99', 'errorRate']) {
      expect(await page.locator(`#metrics rect.bar[data-kind="${key}"]`).count(), key).toBe(METHODS.length);
    }
  });

  it('explains the fingerprint component by component and checks every entry', async () => {
    const { page } = opened;
    const components = bundle.manifest.incident!.components;
    expect(await page.locator('#incident table.components tbody tr').count()).toBe(components.length);
    const incident = (await page.locator('#incident').textContent())!;
    expect(incident).toContain('139 is a shell');
    expect(incident).toContain('query string dropped');
    expect(incident).toContain('pid');
    expect(await page.locator('#integrity-verdict').textContent()).toBe(`All ${bundle.manifest.files.length - 1} entries match the manifest.`);
    expect(await page.locator('#redaction').isVisible()).toBe(true);
  });

  it('makes the README picture (docs/report.png is a copy): a crash without hostile text, down to the timeline', async () => {
    const clean = await buildStoryBundle({
      start: START,
      outDir: path.join(tmp.dir, 'clean'),
      incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 139, url: 'app://codex/chat/8f3a9b2c7d?tab=2', pid: 4242, webContentsId: 3, occurredAt: START + 70_000 },
    });
    const file = path.join(tmp.dir, 'clean-report.html');
    writeFileSync(file, (await readZip(clean.path)).files.get('report.html')!);
    const shown = await openReport(browser, file);
    try {
      const timeline = await shown.page.locator('#timeline').boundingBox();
      await shown.page.screenshot({ path: artifact('readme.png'), fullPage: true, clip: { x: 0, y: 0, width: 1100, height: Math.ceil(timeline!.y + timeline!.height + 16) } });
      expect(shown.errors).toEqual([]);
    } finally {
      await shown.page.close();
    }
  });

  it('has a dark scheme and a print layout', async () => {
    const dark = await openReport(browser, reportFile, 'dark');
    try {
      await dark.page.screenshot({ path: artifact('bundle-dark.png'), fullPage: true });
      const background = await dark.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
      expect(background).toBe('rgb(13, 17, 23)');
      expect(dark.errors).toEqual([]);
      await dark.page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      expect(await dark.page.locator('.controls').isHidden()).toBe(true);
      expect(await dark.page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe('rgb(255, 255, 255)');
      await dark.page.pdf({ path: artifact('bundle-print.pdf'), printBackground: true });
    } finally {
      await dark.page.close();
    }
  });

  it('codex-diag report BUNDLE writes the same report beside the bundle, checked against the zip', async () => {
    const io = cliIo({ cwd: tmp.dir });
    expect(await runCli(['report', bundle.path, '--json'], io)).toBe(0);
    const written = JSON.parse(io.out()) as { path: string; bytes: number };
    expect(written.path).toBe(bundle.path.replace(/\.zip$/, '.report.html'));
    expect(written.bytes).toBeGreaterThan(0);
    const cli = await openReport(browser, written.path);
    try {
      expect(cli.requests).toEqual([cli.url]);
      expect(cli.errors).toEqual([]);
      // Read back from the zip, report.html itself is one of the entries checked.
      expect(await cli.page.locator('#integrity-verdict').textContent()).toBe(`All ${bundle.manifest.files.length} entries match the manifest.`);
      expect(await cli.page.locator('#integrity').textContent()).toContain('from the zip on disk');
    } finally {
      await cli.page.close();
    }
  });
});
