import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Fake secrets planted in the crashed page's URL, in the renderer's memory and in Chromium's crash keys. */
export const PLANTED = {
  urlToken: 'ghp_Pl4ntedUrlT0kenAbCdEfGhIjKlMnOpQrSt',
  memoryToken: 'sk-proj-Pl4ntedMem0ryT0kenAbCdEfGhIjKl',
  memoryPassword: 'hunter2-pl4nted-pw',
  switchToken: 'xoxb-123456789012-Pl4ntedSw1tchT0ken',
};

export interface ChromiumCrashes {
  root: string;
  /** The fake home dir and user name the profile lives under. */
  homedir: string;
  username: string;
  /** The dump folder Crashpad writes to. */
  crashDir: string;
  renderer?: { file: string };
  gpu?: { file: string };
  cleanup(): Promise<void>;
}

/**
 * Runs Debian's Chromium headless with the crash reporter on, a profile under a fake home dir,
 * crashes a renderer (CDP Page.crash, with planted secrets in its URL and in the message on its
 * stack) and the GPU process (Browser.crashGpuProcess), and returns the dumps Crashpad wrote.
 */
export async function crashChromium(kinds: { renderer?: boolean; gpu?: boolean } = { renderer: true, gpu: true }): Promise<ChromiumCrashes> {
  const root = await tempDir('codex-diag-chromium-');
  const username = 'zedcrashuser';
  const homedir = path.join(root, 'home', username);
  const xdg = path.join(homedir, '.config');
  // The profile path ends up in the renderer's `switch-N` crash keys: it carries the home dir and a token.
  const profile = path.join(homedir, PLANTED.switchToken, 'profile');
  await fsp.mkdir(xdg, { recursive: true });
  const crashDir = path.join(xdg, 'chromium', 'Crash Reports');
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<title>crash me</title><script>window.kept = ${JSON.stringify(`password=${PLANTED.memoryPassword}`)};</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const child = spawn(
    CHROMIUM,
    ['--headless=new', '--no-sandbox', '--enable-crash-reporter', `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--no-first-run', 'about:blank'],
    { env: { ...process.env, HOME: homedir, XDG_CONFIG_HOME: xdg }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    stopGroup(child);
    server.close();
    await fsp.rm(root, { recursive: true, force: true });
  };
  try {
    const endpoint = await devtoolsEndpoint(child);
    browser = await chromium.connectOverCDP(endpoint);
    const context = browser.contexts()[0]!;
    const result: ChromiumCrashes = { root, homedir, username, crashDir, cleanup };
    if (kinds.renderer) {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/chat/42?access_token=${PLANTED.urlToken}&tab=2`);
      const session = await context.newCDPSession(page);
      const before = await listDumps(crashDir);
      // The message is on the renderer's stack when it crashes: its text is real memory of the process.
      session.send('Page.crash', { note: `token=${PLANTED.memoryToken} password=${PLANTED.memoryPassword}` } as never).catch(() => undefined);
      result.renderer = { file: await nextDump(crashDir, before) };
    }
    if (kinds.gpu) {
      const before = await listDumps(crashDir);
      const session = await browser.newBrowserCDPSession();
      session.send('Browser.crashGpuProcess').catch(() => undefined);
      result.gpu = { file: await nextDump(crashDir, before) };
    }
    return result;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function devtoolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}) before DevTools listened: ${text.slice(-500)}`)));
  });
}

function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export async function listDumps(crashDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['pending', 'completed', 'new']) {
    const dir = path.join(crashDir, sub);
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (name.endsWith('.dmp')) out.push(path.join(dir, name));
  }
  return out;
}

/** The first dump that was not there before, once its size has stopped changing. */
async function nextDump(crashDir: string, before: string[]): Promise<string> {
  let found: string | undefined;
  let lastSize = -1;
  await waitFor(
    async () => {
      const fresh = (await listDumps(crashDir)).filter((f) => !before.includes(f) && !f.includes(`${path.sep}new${path.sep}`));
      if (fresh.length === 0) return false;
      const size = (await fsp.stat(fresh[0]!).catch(() => ({ size: -2 }))).size;
      const stable = size > 0 && size === lastSize;
      lastSize = size;
      found = fresh[0];
      return stable;
    },
    'a new Crashpad dump that has stopped growing',
    30_000,
    200,
  );
  return found!;
}

/**
 * For the calling suite: Chromium crashed once (a renderer and the GPU process) before its tests, the
 * files removed after them. Returns the crashes, for use inside the suite's tests.
 */
export function useChromiumCrashes(): () => ChromiumCrashes {
  let crashes: ChromiumCrashes | undefined;
  beforeAll(async () => {
    crashes = await crashChromium();
  }, 120_000);
  afterAll(async () => {
    await crashes?.cleanup();
  });
  return () => {
    if (!crashes) throw new Error('Chromium has not crashed yet: use the crashes inside a test');
    return crashes;
  };
}
