import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { cliIo, type CliIoOptions } from '../helpers/cli-io.js';
import { canMountTmpfs, mountTmpfs, unmount } from '../helpers/small-mount.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
let logDir: string;
const mounts: string[] = [];
beforeEach(() => {
  tmp = makeTempDir('codex-diag-cli-bad-input-');
  logDir = path.join(tmp.dir, 'logs');
  mkdirSync(logDir);
  writeFileSync(path.join(logDir, 'main.log'), Array.from({ length: 50 }, (_, i) => `{"level":30,"time":${i},"msg":"line ${i}"}\n`).join(''));
});
afterEach(() => {
  for (const dir of mounts.splice(0)) unmount(dir);
  tmp.cleanup();
});

const io = (options: CliIoOptions = {}) => cliIo({ cwd: tmp.dir, homedir: '/home/nobody', ...options });
const oneLine = (text: string) => expect(text).toMatch(/^codex-diag: [^\n]+\n$/);
/** `depth` objects nested inside each other around a number, as JSON text. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const V1_STATE = JSON.stringify({ app_server: { restart_count: 2 }, renderer: { recovery_attempts: 0 } });

describe('a data dir that is a regular file', () => {
  it('is bad input (exit 2) in one line naming it, for export, upload and state; the file is untouched', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    writeFileSync(dataDir, 'not a directory');
    const ingestless = { SENTRY_DSN: 'http://abc@127.0.0.1:9/1' };
    for (const [argv, env] of [
      [['export', '--no-incident', '--log-dir', logDir], {}],
      [['upload'], {}],
      [['upload'], ingestless],
      [['state'], {}],
      [['state', 'show'], {}],
      [['state', 'migrate'], {}],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const t = io({ env });
      expect(await runCli([...argv, '--data-dir', dataDir], t), argv.join(' ')).toBe(2);
      oneLine(t.err());
      expect(t.err()).toContain(`data dir ${dataDir} is not a directory`);
    }
    expect(readFileSync(dataDir, 'utf8')).toBe('not a directory');
  });
});

describe('nesting 5,000 levels deep', () => {
  it('state show and migrate: exit 2 in one line saying so; the file is left as it was', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'state.json'), nested(5_000));
    for (const action of ['show', 'migrate']) {
      const t = io();
      expect(await runCli(['state', action, '--data-dir', dataDir], t), action).toBe(2);
      oneLine(t.err());
      expect(t.err()).toMatch(/state file .*state\.json is nested more than \d+ levels deep/);
    }
    expect(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).toBe(nested(5_000));
    expect(readdirSync(dataDir)).toEqual(['state.json']);
  });

  it('export still writes its bundle from what it can read: the state is left out with one warning', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'state.json'), nested(5_000));
    // And the journal's latest line holds an incident nested as deep.
    mkdirSync(path.join(dataDir, 'journal'));
    const deepIncident = `{"kind":"render-process-gone","reason":"crashed","exitCode":1,"extra":${nested(5_000)}}`;
    writeFileSync(
      path.join(dataDir, 'journal', 'incidents.1.jsonl'),
      `{"occurredAt":"2026-11-21T09:00:00.000Z","fingerprint":"fp1-0000000000000000","components":["fp1"],"title":"x","incident":${deepIncident},"bundled":true,"suppressedSinceLast":0}\n`,
    );
    const t = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--json'], t)).toBe(0);
    const result = JSON.parse(t.out()) as { path: string; lines: number };
    expect(result.lines).toBe(50);
    expect(readdirSync(path.join(dataDir, 'bundles'))).toEqual([path.basename(result.path)]);
    expect(t.err()).toMatch(/warning: state left out of the bundle: state file .* nested more than \d+ levels deep/);
    for (const line of t.err().trimEnd().split('\n')) expect(line).toMatch(/^codex-diag: |^no journaled incident/);
  });

  it('an incident file that deep is bad input for export --incident and fingerprint, in one line naming it', async () => {
    writeFileSync(path.join(tmp.dir, 'deep.json'), `{"kind":"render-process-gone","reason":"crashed","exitCode":1,"x":${nested(5_000)}}`);
    const dataDir = path.join(tmp.dir, 'data');
    for (const argv of [['export', '--incident', 'deep.json', '--log-dir', logDir, '--data-dir', dataDir], ['fingerprint', 'deep.json']]) {
      const t = io();
      expect(await runCli(argv, t), argv[0]).toBe(2);
      oneLine(t.err());
      expect(t.err()).toMatch(/deep\.json: line 1: nested more than \d+ levels deep/);
    }
  });
});

describe('a read-only or full disk', () => {
  it('is reported in one line naming the path and the reason, exit 1 (never "internal error")', () => {
    for (const [code, words] of [['EROFS', 'read-only file system'], ['ENOSPC', 'no space left on device']]) {
      const error = Object.assign(new Error(`${code}: whatever node says, mkdir '/data/bundles'`), { code, syscall: 'mkdir', path: '/data/bundles' });
      const t = io();
      expect(reportError(t, error)).toBe(1);
      expect(t.err()).toBe(`codex-diag: cannot mkdir /data/bundles: ${words} (${code})\n`);
    }
  });

  const mountable = canMountTmpfs(path.join(makeTempDir('codex-diag-mount-probe-').dir, 'm'));

  it.skipIf(!mountable)('read-only data dir (a real EROFS mount): export, state migrate and upload say so in one line', async () => {
    const dataDir = path.join(tmp.dir, 'ro');
    expect(mountTmpfs(dataDir, { readOnly: true })).toBe(true);
    mounts.push(dataDir);
    const t = io();
    expect(await runCli(['export', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], t)).toBe(1);
    oneLine(t.err());
    expect(t.err()).toContain(dataDir);
    expect(t.err()).toContain('read-only file system (EROFS)');
    expect(t.err()).not.toContain('internal error');
  });

  it.skipIf(!mountable)('full disk (a real ENOSPC tmpfs): export fails in one line naming the path; state migrate keeps the file', async () => {
    const dataDir = path.join(tmp.dir, 'full');
    expect(mountTmpfs(dataDir, { sizeKiB: 64 })).toBe(true);
    mounts.push(dataDir);
    writeFileSync(path.join(dataDir, 'state.json'), V1_STATE);
    mkdirSync(path.join(dataDir, 'bundles'));
    // Fill the disk to the last byte.
    const filler = await fsp.open(path.join(dataDir, 'filler'), 'w');
    try {
      for (;;) await filler.write(Buffer.alloc(4096, 1));
    } catch {
      // ENOSPC: full
    } finally {
      await filler.close();
    }
    for (const size of [1024, 256, 64, 16, 1]) {
      try {
        writeFileSync(path.join(dataDir, `filler-${size}`), Buffer.alloc(size));
      } catch {
        // full at this granularity
      }
    }
    const t = io();
    writeFileSync(path.join(logDir, 'main.log'), Array.from({ length: 2_000 }, (_, i) => `{"level":30,"time":${i},"msg":"line ${i} ${'x'.repeat(100)}"}\n`).join(''));
    expect(await runCli(['export', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], t)).toBe(1);
    oneLine(t.err());
    expect(t.err()).toContain(dataDir);
    expect(t.err()).toContain('no space left on device (ENOSPC)');

    const m = io();
    expect(await runCli(['state', 'migrate', '--data-dir', dataDir], m)).toBe(1);
    oneLine(m.err());
    expect(m.err()).toContain('ENOSPC');
    expect(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).toBe(V1_STATE);
  });
});
