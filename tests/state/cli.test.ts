import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { fixtureBytes, listDir, repoRoot, stateFileFrom } from './helpers.js';
import { canMountTmpfs, mountTmpfs, remountReadOnly, unmount } from '../helpers/small-mount.js';
import { tempDir } from '../helpers/temp-dir.js';

const execFileAsync = promisify(execFile);

async function run(args: string[], cwd: string) {
  const io = cliIo({ cwd });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Every file in the dir with its bytes: what "nothing was written" is checked against. */
async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of await listDir(dir)) result[name] = (await fsp.readFile(path.join(dir, name))).toString('base64');
  return result;
}

describe('codex-diag state', () => {
  it('show (the default) prints a v1 file migrated in memory and writes nothing', async () => {
    const { dir, file } = await stateFileFrom('v1.json');
    const before = await snapshotDir(dir);
    for (const args of [['state', '--state', file, '--json'], ['state', 'show', '--state', 'state.json', '--json']]) {
      const { code, out, err } = await run(args, dir);
      expect(code).toBe(0);
      expect(err).toBe('');
      const state = JSON.parse(out);
      expect(state.version).toBe(4);
      expect(state.app_server.last_restart_at).toBe(1_763_600_000_000);
      expect(state.ui).toEqual({ theme: 'dark', sidebar_open: true });
    }
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('show without --json prints the state and notes the migration and startup figures on stderr', async () => {
    const { dir, file } = await stateFileFrom('v2.json');
    const { code, out, err } = await run(['state', 'show', '--state', file], dir);
    expect(code).toBe(0);
    expect(JSON.parse(out).startup.history).toHaveLength(1);
    expect(err).toContain('is version 2; shown migrated to version 4');
    expect(err).toContain('p50 842 ms');
    const quiet = await run(['state', 'show', '--state', file, '-q'], dir);
    expect(quiet.err).toBe('');
  });

  it.each([
    ['corrupt', '{"version":3,"renderer":{"recovery_attempts":"x"}}', 'renderer.recovery_attempts'],
    ['truncated', '{"version":3,"rend', 'not valid JSON'],
    ['empty', '', 'is empty'],
    ['binary', '\u0000\u00ff\u0013\u0080', 'not valid JSON'],
  ])('show on a %s file: one-line error naming the file, exit 2, nothing moved', async (_name, content, detail) => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, Buffer.from(content, 'latin1'));
    const before = await snapshotDir(dir);
    for (const action of ['show', 'migrate']) {
      const { code, out, err } = await run(['state', action, '--state', file], dir);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toContain(file);
      expect(err).toContain(detail);
    }
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('a newer version: exit 2 naming the version, for show and migrate, file untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, '{"version":99,"x":1}');
    const before = await snapshotDir(dir);
    for (const action of ['show', 'migrate']) {
      const { code, err } = await run(['state', action, '--state', file], dir);
      expect(code).toBe(2);
      expect(err).toBe(`codex-diag: state file ${file} is version 99, this build knows up to 4; left untouched\n`);
    }
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it.each([
    ['a directory', 'is a directory, expected a JSON file', (file: string) => fsp.mkdir(file)],
    ['a named pipe', 'is a named pipe, expected a JSON file', (file: string) => execFileAsync('mkfifo', [file]).then(() => undefined)],
  ])('show and migrate on %s: exit 2 with one line, never opened, nothing changed', async (_name, detail, make) => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await make(file);
    for (const action of ['show', 'migrate']) {
      const { code, out, err } = await run(['state', action, '--state', file], dir);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(`codex-diag: state file ${file} ${detail}; left untouched\n`);
    }
    expect(await listDir(dir)).toEqual(['state.json']);
  });

  it('show and migrate on a file over 16 MiB: exit 2 naming its size, nothing read into memory or changed', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const handle = await fsp.open(file, 'w');
    await handle.write('{"version":1}');
    await handle.truncate(2 * 1024 ** 3); // sparse, 2 GiB: reading it whole would fail or exhaust memory
    await handle.close();
    for (const action of ['show', 'migrate']) {
      const { code, err } = await run(['state', action, '--state', file], dir);
      expect(code).toBe(2);
      expect(err).toBe(`codex-diag: state file ${file} is ${2 * 1024 ** 3} bytes, more than the 16777216 a state file can be\n`);
    }
    expect(await listDir(dir)).toEqual(['state.json']);
    expect((await fsp.stat(file)).size).toBe(2 * 1024 ** 3);
  });

  it('migrate through a symlink rewrites the target, keeps its original beside it, and keeps the link', async () => {
    const { dir, file: target, original } = await stateFileFrom('v1.json');
    const link = path.join(dir, 'link.json');
    await fsp.symlink('state.json', link);
    const { code, err } = await run(['state', 'migrate', '--state', link], dir);
    expect(code).toBe(0);
    expect(err).toBe(`migrated ${link} from version 1 to 4 (original kept as ${target}.bak)\n`);
    expect((await fsp.lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await fsp.readFile(target, 'utf8')).version).toBe(4);
    expect(await fsp.readFile(`${target}.bak`)).toEqual(original);
    expect(await listDir(dir)).toEqual(['link.json', 'state.json', 'state.json.bak']);
  });

  it('no state file: exit 3 for show and migrate, nothing created', async () => {
    const dir = await tempDir();
    for (const action of ['show', 'migrate']) {
      const { code, out, err } = await run(['state', action, '--data-dir', dir, '--json'], dir);
      expect(code).toBe(3);
      expect(out).toBe('');
      expect(err).toContain(`no state file at ${path.join(dir, 'state.json')}`);
    }
    expect(await listDir(dir)).toEqual([]);
  });

  it('migrate rewrites a v1 file as v4, keeps the original as .bak, prints {from, to, path}', async () => {
    const { dir, file, original } = await stateFileFrom('v1-no-version.json');
    const { code, out } = await run(['state', 'migrate', '--state', file, '--json'], dir);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ from: 1, to: 4, path: file });
    expect(JSON.parse(await fsp.readFile(file, 'utf8')).version).toBe(4);
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(`${file}.bak`)).toEqual(original);

    const again = await run(['state', 'migrate', '--state', file, '--json'], dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({ from: 4, to: 4, path: file });
    expect(await fsp.readFile(`${file}.bak`)).toEqual(original);
  });

  it('migrate on a read-only file: exit 1 with a clear error, file and dir unchanged', async () => {
    const { dir, file } = await stateFileFrom('v2.json');
    await fsp.chmod(file, 0o444);
    const before = await snapshotDir(dir);
    const { code, err } = await run(['state', 'migrate', '--state', file], dir);
    expect(code).toBe(1);
    expect(err).toContain('read-only');
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('migrate when the directory cannot be written: exit 1 naming the file, nothing changed', async () => {
    let { dir, file } = await stateFileFrom('v1.json');
    const probe = path.join(dir, 'probe');
    await fsp.chmod(dir, 0o555);
    const permissionsApply = await fsp.writeFile(probe, '').then(
      () => fsp.rm(probe).then(() => false),
      () => true,
    );
    let mounted: string | undefined;
    if (!permissionsApply) {
      // Running as root, where mode bits do not stop writes: the state file on a read-only mount.
      await fsp.chmod(dir, 0o755);
      const mountDir = path.join(dir, 'ro');
      if (!canMountTmpfs(path.join(dir, 'probe-mount')) || !mountTmpfs(mountDir, { sizeKiB: 256 })) return;
      mounted = mountDir;
      await fsp.copyFile(file, path.join(mountDir, 'state.json'));
      if (!remountReadOnly(mountDir)) {
        unmount(mountDir);
        return;
      }
      dir = mountDir;
      file = path.join(mountDir, 'state.json');
    }
    try {
      const before = await snapshotDir(dir).catch(() => ({}));
      const { code, err } = await run(['state', 'migrate', '--state', file], dir);
      expect(code).toBe(1);
      expect(err).toContain(`cannot write state file ${file}`);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(await fsp.readFile(file)).toEqual(await fixtureBytes('v1.json'));
      expect(await snapshotDir(dir)).toEqual(before);
    } finally {
      if (mounted) unmount(mounted);
      else await fsp.chmod(dir, 0o755);
    }
  });

  it('path prints the resolved path, as text or {path}', async () => {
    const dir = await tempDir();
    const text = await run(['state', 'path', '--data-dir', dir], dir);
    expect(text.code).toBe(0);
    expect(text.out).toBe(`${path.join(dir, 'state.json')}\n`);
    const json = await run(['state', 'path', '--state', 'custom.json', '--json'], dir);
    expect(JSON.parse(json.out)).toEqual({ path: path.join(dir, 'custom.json') });
  });

  it('an unknown action is bad usage: exit 2 naming the choices', async () => {
    const dir = await tempDir();
    const { code, err } = await run(['state', 'frobnicate', '--data-dir', dir], dir);
    expect(code).toBe(2);
    expect(err).toContain("unknown state action 'frobnicate' (expected one of: show, migrate, path)");
  });

  it('--help documents the actions and exit codes', async () => {
    const { code, out } = await run(['state', '--help'], process.cwd());
    expect(code).toBe(0);
    expect(out).toContain('migrate');
    expect(out).toContain('3  there is no state file');
  });

  it('the built CLI turns a v1 file into v4 keeping every value and unknown key', async () => {
    const { dir, file } = await stateFileFrom('v1.json');
    const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
    const { stdout } = await execFileAsync(process.execPath, [cli, 'state', 'migrate', '--state', 'state.json', '--json'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({ from: 1, to: 4, path: file });
    const v1 = JSON.parse((await fixtureBytes('v1.json')).toString('utf8'));
    const v3 = JSON.parse(await fsp.readFile(file, 'utf8'));
    expect(v3.app_server).toEqual({ ...v1.app_server, last_restart_at: v1.app_server.last_restart_at * 1000 });
    expect(v3.renderer).toEqual({
      ...v1.renderer,
      last_ready_at: v1.renderer.last_ready_at * 1000,
      last_heartbeat_at: v1.renderer.last_heartbeat_at * 1000,
      last_recovery_at: v1.renderer.last_recovery_at * 1000,
    });
    expect(v3.ui).toEqual(v1.ui);
    const shown = await execFileAsync(process.execPath, [cli, 'state', '--state', file, '--json']);
    expect(JSON.parse(shown.stdout)).toEqual(v3);
  });
});
