import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readZip } from '../../src/bundle/zip-reader.js';
import { runCli } from '../../src/cli/program.js';
import { defaultCrashDir } from '../../src/paths.js';
import { PLANTED } from '../helpers/chromium-crash.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from './helpers.js';
import { occurrences } from '../helpers/occurrences.js';

// The fixtures were made under this fake home dir: the CLI runs as that user.
const USER = 'zedcrashuser';
const HOME = `/home/${USER}`;
const OCCURRED = Date.UTC(2026, 10, 21, 8, 0, 0);
const REPORT = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
let tmp: ReturnType<typeof makeTempDir>;
let logDir: string;
let dataDir: string;
let crashDir: string;
let incidentFile: string;

beforeEach(() => {
  tmp = makeTempDir('codex-diag-export-minidump-');
  logDir = path.join(tmp.dir, 'logs');
  dataDir = path.join(tmp.dir, 'data');
  crashDir = path.join(tmp.dir, 'Crashpad');
  mkdirSync(logDir, { recursive: true });
  writeFileSync(path.join(logDir, 'app.1.log'), `${JSON.stringify({ level: 50, time: OCCURRED, msg: 'renderer gone' })}\n`);
  incidentFile = path.join(tmp.dir, 'incident.json');
  writeFileSync(incidentFile, JSON.stringify({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: OCCURRED }));
});
afterEach(() => tmp.cleanup());

function putDump(fixture: string | Buffer, name = REPORT, at = OCCURRED + 800): string {
  const dir = path.join(crashDir, 'completed');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.dmp`);
  if (Buffer.isBuffer(fixture)) writeFileSync(file, fixture);
  else copyFileSync(fixture, file);
  utimesSync(file, new Date(at), new Date(at));
  return file;
}

const io = () => cliIo({ env: { USER }, cwd: tmp.dir, homedir: HOME });
const exportArgs = (...extra: string[]) => ['export', '--log-dir', logDir, '--data-dir', dataDir, '--incident', incidentFile, '--json', ...extra];

describe('codex-diag export --crash-dir', () => {
  it('bundles the matching dump scrubbed, reports it in --json, and inspect passes the bundle', async () => {
    const original = putDump(FIXTURES.renderer);
    // A GPU dump at the same time is another process: not taken for a renderer incident.
    putDump(FIXTURES.gpu, '11111111-2222-4333-8444-555555555555', OCCURRED + 500);
    const before = readFileSync(original);
    const t = io();
    expect(await runCli(exportArgs('--crash-dir', crashDir), t)).toBe(0);
    const result = JSON.parse(t.out());
    expect(result.minidump).toEqual({ path: original, processType: 'renderer', crashReason: expect.stringMatching(/^SIG/), scrubbed: true });
    expect(readFileSync(original).equals(before)).toBe(true);
    const { files } = await readZip(result.path);
    const entry = files.get(`native/${REPORT}.dmp`)!;
    expect(entry.length).toBe(before.length);
    for (const secret of [PLANTED.memoryToken, PLANTED.switchToken, HOME]) expect(occurrences(entry, secret)).toBe(0);

    const i = io();
    expect(await runCli(['inspect', result.path, '--json'], i)).toBe(0);
    expect(JSON.parse(i.out())).toMatchObject({ ok: true, problems: [] });
    const text = io();
    expect(await runCli(['inspect', result.path], text)).toBe(0);
    expect(text.out()).toMatch(new RegExp(`minidump   native/${REPORT}\\.dmp: renderer \\(SIG.*scrubbed: \\d+ match`));
  });

  it('--no-minidump leaves it out; a missing crash dir is no error (null)', async () => {
    putDump(FIXTURES.renderer);
    const a = io();
    expect(await runCli(exportArgs('--crash-dir', crashDir, '--no-minidump'), a)).toBe(0);
    expect(JSON.parse(a.out()).minidump).toBeNull();
    expect([...(await readZip(JSON.parse(a.out()).path)).files.keys()].some((n) => n.startsWith('native/'))).toBe(false);

    const b = io();
    expect(await runCli(exportArgs('--crash-dir', path.join(tmp.dir, 'no-such-dir')), b)).toBe(0);
    expect(JSON.parse(b.out()).minidump).toBeNull();
    expect(b.err()).toBe('');
  });

  it('a dump that does not read is a warning; the bundle is still written', async () => {
    putDump(readFileSync(FIXTURES.renderer).subarray(0, 300));
    const t = io();
    expect(await runCli(exportArgs('--crash-dir', crashDir), t)).toBe(0);
    expect(JSON.parse(t.out()).minidump).toBeNull();
    expect(t.err()).toMatch(/minidump .* does not read/);
  });

  it('the default crash dir follows the contract', () => {
    const e = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => defaultCrashDir({ platform, env, homedir: '/home/u' });
    expect(e('linux')).toBe('/home/u/.config/Codex/Crashpad');
    expect(e('linux', { XDG_CONFIG_HOME: '/x' })).toBe('/x/Codex/Crashpad');
    expect(e('linux', { XDG_CONFIG_HOME: 'relative' })).toBe('/home/u/.config/Codex/Crashpad');
    expect(e('darwin')).toBe('/home/u/Library/Application Support/Codex/Crashpad');
    expect(e('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Codex\\Crashpad');
    expect(e('linux', { CODEX_DIAG_CRASH_DIR: '/dumps' })).toBe('/dumps');
  });
});
