import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { acquireDrainLock, DRAIN_LOCK_NAME, enqueueBundle, pendingItems } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { cliIo } from '../helpers/cli-io.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { canMountTmpfs, mountTmpfs, unmount } from '../helpers/small-mount.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTestBundle } from '../upload/helpers.js';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const V1_STATE = JSON.stringify({ app_server: { restart_count: 2 }, renderer: { recovery_attempts: 1 } });

let tmp: ReturnType<typeof makeTempDir>;
let ingest: LocalIngest | undefined;
const mounts: string[] = [];
beforeEach(() => {
  tmp = makeTempDir('codex-diag-nothing-lost-');
});
afterEach(async () => {
  for (const dir of mounts.splice(0)) unmount(dir);
  await ingest?.close();
  ingest = undefined;
  tmp.cleanup();
});
const io = () => cliIo({ cwd: tmp.dir, homedir: '/home/nobody' });

/** The pid of a process that has exited (for temp files whose writer is gone). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('state migrate keeps every backup', () => {
  it('never overwrites an existing .bak: the original goes to the first free .bak.N', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    mkdirSync(dataDir);
    const file = path.join(dataDir, 'state.json');
    writeFileSync(`${file}.bak`, 'the first backup');
    writeFileSync(`${file}.bak.1`, 'the second backup');
    writeFileSync(file, V1_STATE);
    const t = io();
    expect(await runCli(['state', 'migrate', '--data-dir', dataDir], t)).toBe(0);
    expect(t.err()).toContain(`original kept as ${file}.bak.2`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('the first backup');
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe('the second backup');
    expect(readFileSync(`${file}.bak.2`, 'utf8')).toBe(V1_STATE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 4 });
  });

  it('migrating twice (a v1 file restored over a migrated one) keeps both originals', async () => {
    const file = path.join(tmp.dir, 'state.json');
    for (const restartCount of [1, 2]) {
      writeFileSync(file, JSON.stringify({ app_server: { restart_count: restartCount } }));
      expect(await runCli(['state', 'migrate', '--state', file], io())).toBe(0);
    }
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8'))).toEqual({ app_server: { restart_count: 1 } });
    expect(JSON.parse(readFileSync(`${file}.bak.1`, 'utf8'))).toEqual({ app_server: { restart_count: 2 } });
  });
});

describe('temp files of a zip writer killed with kill -9', () => {
  it('are swept by the next export once their writer is dead; a live writer’s fresh one is kept', async () => {
    const logDir = path.join(tmp.dir, 'logs');
    const dataDir = path.join(tmp.dir, 'data');
    const bundles = path.join(dataDir, 'bundles');
    mkdirSync(logDir);
    // Big enough that writing the zip takes a while, so the kill lands while the temp file exists.
    const line = (i: number) => JSON.stringify({ level: 30, time: i, msg: `request ${i} ${Math.random().toString(36).repeat(40)}` });
    writeFileSync(path.join(logDir, 'main.log'), `${Array.from({ length: 20_000 }, (_, i) => line(i)).join('\n')}\n`);
    let killedMidWrite = 0;
    for (let round = 0; round < 5 && killedMidWrite < 2; round++) {
      const child = spawn(process.execPath, [cli, 'export', '-n', '20000', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const tmpSeen = await waitFor(
        () => (existsSync(bundles) && readdirSync(bundles).some((n) => n.endsWith('.tmp'))) || child.exitCode !== null,
        'a temp file or the end of export',
        60_000,
        1,
      );
      if (tmpSeen && child.exitCode === null) {
        child.kill('SIGKILL');
        killedMidWrite++;
      }
      await exited;
    }
    // Deterministic leftovers too: one of a dead writer, one old enough that its pid may be reused.
    mkdirSync(bundles, { recursive: true });
    const dead = path.join(bundles, `.codex-diag-x.zip.${deadPid()}.0badf00d.tmp`);
    const ancient = path.join(bundles, `.codex-diag-y.zip.${process.pid}.0000beef.tmp`);
    const live = path.join(bundles, `.codex-diag-z.zip.${process.pid}.cafe0123.tmp`);
    for (const f of [dead, ancient, live]) writeFileSync(f, 'partial zip');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(ancient, twoHoursAgo, twoHoursAgo);

    const t = io();
    expect(await runCli(['export', '-n', '10', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], t)).toBe(0);
    const left = readdirSync(bundles).filter((n) => n.endsWith('.tmp'));
    expect(left).toEqual([path.basename(live)]);
    expect(readdirSync(bundles).filter((n) => n.endsWith('.zip')).length).toBeGreaterThanOrEqual(1);
  });
});

describe('the drain lock after a crash or a full disk', () => {
  it('an empty or torn lock is stale: upload sends instead of claiming another process is uploading', async () => {
    ingest = await startLocalIngest();
    const dataDir = path.join(tmp.dir, 'data');
    const outboxDir = path.join(dataDir, 'outbox');
    for (const content of ['', '{"pid":12', '{"pid":']) {
      await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(tmp.dir, { lines: 3 }) });
      writeFileSync(path.join(outboxDir, DRAIN_LOCK_NAME), content); // fresh: written just now
      const t = cliIo({ cwd: tmp.dir, env: { SENTRY_DSN: ingest.dsn } });
      expect(await runCli(['upload', '--data-dir', dataDir, '--json'], t), JSON.stringify(content)).toBe(0);
      expect(JSON.parse(t.out())).toMatchObject({ sent: 1, pending: 0 });
      expect(t.err()).not.toMatch(/another .*process/);
      expect(existsSync(path.join(outboxDir, DRAIN_LOCK_NAME))).toBe(false);
    }
  });

  it('a live holder’s lock is never seen empty: it is complete from the moment it exists', async () => {
    const outboxDir = path.join(tmp.dir, 'outbox');
    mkdirSync(outboxDir);
    const clock = new ManualClock();
    const holder = await acquireDrainLock(outboxDir, { clock });
    expect(holder).not.toBeNull();
    expect(JSON.parse(readFileSync(path.join(outboxDir, DRAIN_LOCK_NAME), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await acquireDrainLock(outboxDir, { clock })).toBeNull();
    clock.advance(1_000);
    expect(await holder!.refresh()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(outboxDir, DRAIN_LOCK_NAME), 'utf8'))).toMatchObject({ heartbeatAt: clock.now() });
    await holder!.release();
    expect(readdirSync(outboxDir)).toEqual([]);
  });

  const mountable = canMountTmpfs(path.join(makeTempDir('codex-diag-mount-probe-').dir, 'm'));

  it.skipIf(!mountable)('ENOSPC while taking the lock (a real full tmpfs) leaves no lock behind', async () => {
    const outboxDir = path.join(tmp.dir, 'outbox');
    expect(mountTmpfs(outboxDir, { sizeKiB: 16 })).toBe(true);
    mounts.push(outboxDir);
    // Fill it: every block taken.
    for (let i = 0; ; i++) {
      try {
        writeFileSync(path.join(outboxDir, `filler-${i}`), Buffer.alloc(1024));
      } catch {
        break;
      }
    }
    for (let i = 0; ; i++) {
      try {
        writeFileSync(path.join(outboxDir, `tiny-${i}`), 'x');
      } catch {
        break;
      }
    }
    await expect(acquireDrainLock(outboxDir, { clock: new ManualClock() })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(outboxDir).filter((n) => n.includes('drain.lock'))).toEqual([]);
    expect(await pendingItems(outboxDir)).toEqual([]);
  });
});
