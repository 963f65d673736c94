import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (CI installs it); CODEX_DIAG_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.CODEX_DIAG_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and the printed PDF land here (gitignored), for people to look at after a run. */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '..', '..', 'artifacts', 'report');

/**
 * Launches headless Chromium with the background networking a fresh profile does turned off, so the
 * only requests are the page's own. A missing browser is a loud failure, never a skip: these tests are
 * the proof the report renders.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the report's browser tests need it (apt-get install chromium, or set CODEX_DIAG_CHROMIUM)`);
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OpenedReport {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  url: string;
}

/** Opens a report file from disk and waits (with a deadline) until its script has drawn it. */
export async function openReport(browser: Browser, file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  return { page, requests, errors, url };
}

export function artifact(name: string): string {
  return path.join(ARTIFACTS_DIR, name);
}
