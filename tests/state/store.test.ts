import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DiagError } from '../../src/errors.js';
import { decodeState } from '../../src/state/decode.js';
import { MAX_STATE_FILE_BYTES, removeStaleTempFiles } from '../../src/state/files.js';
import { StateStore } from '../../src/state/store.js';
import { defaultState } from '../../src/state/defaults.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { fixtureBytes, listDir, stateFileFrom } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const execFileAsync = promisify(execFile);

async function openWith(file: string, clock = new ManualClock(1_763_000_000_000), debounceMs = 1000) {
  const warnings: DiagError[] = [];
  const store = await StateStore.open({ file, clock, debounceMs, warn: (w) => warnings.push(w) });
  return { store, clock, warnings };
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fsp.readFile(file, 'utf8'));
}

describe('StateStore: loading', () => {
  it('starts from defaults when there is no file, and the first save creates it with mode 0600', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nested', 'state.json');
    const { store, warnings } = await openWith(file);
    expect(store.loadReport.outcome).toBe('fresh');
    expect(store.snapshot()).toEqual(defaultState());
    await expect(fsp.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    store.recordHeartbeat(5000);
    await store.flush();
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    expect((await readJson(file))['renderer']).toMatchObject({ last_heartbeat_at: 5000 });
    expect(warnings).toEqual([]);
  });

  it.each(['v1.json', 'v1-no-version.json', 'v2.json', 'v3.json'])(
    'migrates %s on open, writes v4 once and keeps the original byte for byte as .bak',
    async (fixture) => {
      const { dir, file, original } = await stateFileFrom(fixture);
      const { store } = await openWith(file);
      expect(store.loadReport.outcome).toBe('migrated');
      const onDisk = await readJson(file);
      expect(onDisk['version']).toBe(4);
      expect(onDisk).toEqual(store.snapshot());
      expect(await fsp.readFile(`${file}.bak`)).toEqual(original);
      expect(await listDir(dir)).toEqual(['state.json', 'state.json.bak']);
    },
  );

  it('loads a current file without rewriting it, and keeps it as .bak before the first save replaces it', async () => {
    const { file, original } = await stateFileFrom('v4.json');
    const { store } = await openWith(file);
    expect(store.loadReport).toEqual({ outcome: 'loaded', fromVersion: 4 });
    expect(await fsp.readFile(file)).toEqual(original);
    store.recordSidecarRestart(1_763_900_000_000, 'exit code 1');
    await store.flush();
    expect(await fsp.readFile(`${file}.bak`)).toEqual(original);
    const saved = await readJson(file);
    expect(saved['future_section']).toEqual({ kept: true });
    expect(saved['app_server']).toEqual({
      restart_count: 1,
      last_restart_at: 1_763_900_000_000,
      last_disconnect_reason: 'exit code 1',
    });
  });

  it.each([
    ['corrupt', Buffer.from('{"version":3,"app_server":{"restart_count":-4}}')],
    ['truncated', Buffer.from('{"version":3,"app_server":{"restart_co')],
    ['empty', Buffer.alloc(0)],
    ['binary', Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x80, 0x7b])],
  ])('moves a %s file aside byte for byte, warns, and starts from defaults', async (_name, bytes) => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, bytes);
    const clock = new ManualClock(Date.UTC(2026, 10, 21, 0, 54, 48, 123));
    const { store, warnings } = await openWith(file, clock);
    expect(store.loadReport.outcome).toBe('corrupt-moved-aside');
    expect(store.mode).toBe('read-write');
    expect(store.snapshot()).toEqual(defaultState());
    const aside = path.join(dir, 'state.corrupt-20261121T005448123Z.json');
    expect(store.loadReport.movedAsideTo).toBe(aside);
    expect(await fsp.readFile(aside)).toEqual(bytes);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('STATE_CORRUPT');
    expect(warnings[0]?.message).toContain(file);
    expect(warnings[0]?.message).toContain(aside);
    // The store goes on: the next save writes a fresh file and leaves the copy alone.
    store.recordAppStarted(clock.now());
    await store.flush();
    expect((await readJson(file))['version']).toBe(4);
    expect(await fsp.readFile(aside)).toEqual(bytes);
  });

  it('never replaces an earlier corrupt copy with the same timestamp', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    await fsp.writeFile(file, 'first');
    await openWith(file, clock);
    await fsp.writeFile(file, 'second');
    const { store } = await openWith(file, clock);
    expect(await fsp.readFile(path.join(dir, 'state.corrupt-20260101T000000000Z.json'), 'utf8')).toBe('first');
    expect(store.loadReport.movedAsideTo).toBe(path.join(dir, 'state.corrupt-20260101T000000000Z-2.json'));
    expect(await fsp.readFile(store.loadReport.movedAsideTo ?? '', 'utf8')).toBe('second');
  });

  it('leaves a file from a newer version untouched, naming both versions, and runs in memory', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const original = Buffer.from('{"version":99,"something_new":{"a":1}}\n');
    await fsp.writeFile(file, original);
    const { store, warnings, clock } = await openWith(file);
    expect(store.mode).toBe('read-only');
    expect(store.loadReport.outcome).toBe('newer-version');
    expect(warnings.map((w) => w.code)).toEqual(['STATE_FROM_NEWER_VERSION']);
    expect(warnings[0]?.message).toContain('version 99');
    expect(warnings[0]?.message).toContain('up to 4');
    expect(warnings[0]?.message).toContain('in-memory');
    store.recordAppStarted(clock.now());
    store.recordIncident('fp1-aaaa', clock.now());
    clock.advance(5000);
    await store.flush();
    expect(store.snapshot().incidents['fp1-aaaa']?.count).toBe(1);
    expect(await fsp.readFile(file)).toEqual(original);
    expect(await listDir(dir)).toEqual(['state.json']);
  });

  it('leaves a path it cannot read as a file untouched and runs read-only in memory', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.mkdir(file); // a directory where the file should be: unreadable as a state file
    const { store, warnings } = await openWith(file);
    expect(store.mode).toBe('read-only');
    expect(warnings[0]?.message).toContain(file);
    store.recordHeartbeat(1);
    await store.flush();
    expect((await fsp.stat(file)).isDirectory()).toBe(true);
  });

  it('moves a file over 16 MiB aside whole, without parsing it, and starts from defaults', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const huge = Buffer.alloc(MAX_STATE_FILE_BYTES + 1, 0x20);
    // Valid JSON and a valid v3 document: only its size makes it unusable.
    huge.write('{"version":3,"pad":"', 0);
    huge.write('"}', huge.length - 2);
    await fsp.writeFile(file, huge);
    const clock = new ManualClock(Date.UTC(2026, 10, 21, 1, 0, 0, 0));
    const { store, warnings } = await openWith(file, clock);
    expect(store.loadReport.outcome).toBe('corrupt-moved-aside');
    expect(store.mode).toBe('read-write');
    expect(warnings.map((w) => w.code)).toEqual(['STATE_CORRUPT']);
    expect(warnings[0]?.message).toContain(`${MAX_STATE_FILE_BYTES + 1} bytes`);
    // Buffer#equals: a deep toEqual over 16 MiB would walk every byte as a property.
    expect((await fsp.readFile(path.join(dir, 'state.corrupt-20261121T010000000Z.json'))).equals(huge)).toBe(true);
    expect(await fsp.stat(file).catch(() => null)).toBeNull();
  });

  it('saves through a symlinked state file: the target is migrated and backed up beside it, the link kept', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'dotfiles', 'codex-state.json');
    await fsp.mkdir(path.dirname(target));
    const original = await fixtureBytes('v1.json');
    await fsp.writeFile(target, original);
    const link = path.join(dir, 'state.json');
    await fsp.symlink(path.join('dotfiles', 'codex-state.json'), link);
    const { store, clock } = await openWith(link);
    expect(store.loadReport.outcome).toBe('migrated');
    store.recordHeartbeat(clock.now());
    await store.flush();
    expect((await fsp.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readJson(target)).toMatchObject({ version: 4, renderer: { last_heartbeat_at: clock.now() } });
    expect(await fsp.readFile(`${target}.bak`)).toEqual(original);
    expect(await listDir(dir)).toEqual(['dotfiles', 'state.json']);
  });

  it('a FIFO where the file should be: read-only in memory, never opened (a read would block)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await execFileAsync('mkfifo', [file]);
    const { store, warnings } = await openWith(file);
    expect(store.mode).toBe('read-only');
    expect(warnings.map((w) => w.code)).toEqual(['BAD_INPUT']);
    expect(warnings[0]?.message).toBe(`state file ${file} is a named pipe, expected a JSON file; left untouched; running with in-memory state`);
    store.recordHeartbeat(1);
    await store.flush();
    expect((await fsp.stat(file)).isFIFO()).toBe(true);
  });
});

describe('StateStore: saving', () => {
  it('debounces: the first change schedules one save at debounceMs, later changes ride along', async () => {
    const { file } = await stateFileFrom('v4.json');
    const { store, clock } = await openWith(file, new ManualClock(1_763_000_000_000), 1000);
    const heartbeatOnDisk = async () => ((await readJson(file))['renderer'] as { last_heartbeat_at: number }).last_heartbeat_at;
    store.recordHeartbeat(1_000);
    expect(clock.pending).toBe(1);
    clock.advance(600);
    store.recordHeartbeat(2_000); // must neither postpone the save nor schedule a second one
    expect(clock.pending).toBe(1);
    clock.advance(399);
    expect(store.hasUnsavedChanges).toBe(true);
    expect(await heartbeatOnDisk()).toBe(1_763_800_005_000);
    clock.advance(1); // due: the save starts by itself (no flush)
    expect(clock.pending).toBe(0);
    await waitFor(async () => ((await heartbeatOnDisk()) === 2_000 ? true : undefined), 'the heartbeat on disk', 10_000, 2);
    expect(store.hasUnsavedChanges).toBe(false);
  });

  it('flush() writes pending changes at once and cancels the scheduled save', async () => {
    const { file } = await stateFileFrom('v4.json');
    const { store, clock } = await openWith(file, new ManualClock(1_763_000_000_000), 60_000);
    store.recordHeartbeat(3_000);
    expect(clock.pending).toBe(1);
    await store.flush();
    expect(clock.pending).toBe(0);
    expect((await readJson(file))['renderer']).toMatchObject({ last_heartbeat_at: 3_000 });
  });

  it('writes nothing when nothing changed', async () => {
    const { file } = await stateFileFrom('v4.json');
    const { store, clock } = await openWith(file);
    const before = await fsp.stat(file);
    clock.advance(10_000);
    await store.flush();
    expect((await fsp.stat(file)).ino).toBe(before.ino);
    expect(clock.pending).toBe(0);
  });

  it('reports an unwritable directory once as STATE_UNWRITABLE, keeps working in memory, and saves when it can', async () => {
    const dir = await tempDir();
    // A parent that is a regular file blocks writes even for root (chmod does not).
    const blocker = path.join(dir, 'data');
    await fsp.writeFile(blocker, 'not a directory');
    const file = path.join(blocker, 'state.json');
    const { store, warnings, clock } = await openWith(file);
    store.recordAppStarted(clock.now());
    clock.advance(1000);
    await store.flush();
    store.recordSidecarRestart(clock.now(), 'crash');
    await store.flush();
    expect(warnings.map((w) => w.code)).toEqual(['STATE_UNWRITABLE']);
    expect(warnings[0]?.exitCode).toBe(1);
    expect(warnings[0]?.message).toContain(file);
    expect(store.lastError?.code).toBe('STATE_UNWRITABLE');
    expect(store.snapshot().app_server.restart_count).toBe(1);
    expect(await fsp.readFile(blocker, 'utf8')).toBe('not a directory');

    await fsp.rm(blocker);
    await store.flush();
    expect(store.lastError).toBeUndefined();
    const saved = await readJson(file);
    expect(saved['app_server']).toMatchObject({ restart_count: 1, last_disconnect_reason: 'crash' });
    expect((saved['startup'] as { history: unknown[] }).history).toHaveLength(1);
  });

  it('does not replace a read-only state file, and saves every change once it is writable again', async () => {
    const { file, original } = await stateFileFrom('v4.json');
    await fsp.chmod(file, 0o444);
    const { store, warnings, clock } = await openWith(file);
    store.recordRecoveryAttempt(clock.now());
    await store.flush();
    expect(warnings.map((w) => w.code)).toEqual(['STATE_UNWRITABLE']);
    expect(warnings[0]?.message).toContain('read-only');
    expect(await fsp.readFile(file)).toEqual(original);
    expect(store.hasUnsavedChanges).toBe(true);

    await fsp.chmod(file, 0o644);
    await store.flush();
    expect((await readJson(file))['renderer']).toMatchObject({ recovery_attempts: 1, last_recovery_at: clock.now() });
  });

  it('reports a directory without write permission (when permissions apply to this user)', async () => {
    const { dir, file, original } = await stateFileFrom('v4.json');
    await fsp.chmod(dir, 0o555);
    try {
      const probe = path.join(dir, 'probe');
      const permissionsApply = await fsp.writeFile(probe, '').then(
        () => fsp.rm(probe).then(() => false),
        () => true,
      );
      const { store, warnings } = await openWith(file);
      store.recordHeartbeat(42);
      await store.flush();
      if (permissionsApply) {
        expect(warnings.map((w) => w.code)).toEqual(['STATE_UNWRITABLE']);
        expect(await fsp.readFile(file)).toEqual(original);
      } else {
        // root ignores the mode bits; the save goes through (the other test covers root).
        expect(warnings).toEqual([]);
      }
      expect(store.snapshot().renderer.last_heartbeat_at).toBe(42);
    } finally {
      await fsp.chmod(dir, 0o755);
    }
  });

  it('close() flushes, and later changes stay in memory', async () => {
    const { file } = await stateFileFrom('v4.json');
    const { store, clock } = await openWith(file);
    store.recordHeartbeat(7);
    await store.close();
    expect((await readJson(file))['renderer']).toMatchObject({ last_heartbeat_at: 7 });
    store.recordHeartbeat(8);
    expect(clock.pending).toBe(0);
  });

  it('a throwing warn callback does not break the store', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, 'garbage');
    const store = await StateStore.open({
      file,
      clock: new ManualClock(1_763_000_000_000),
      warn: () => {
        throw new Error('logger down');
      },
    });
    expect(store.loadReport.outcome).toBe('corrupt-moved-aside');
  });

  it('uses the fixture written by the first release without losing its unknown keys on save', async () => {
    const { file } = await stateFileFrom('v1.json');
    const { store, clock } = await openWith(file);
    store.recordAppStarted(clock.now());
    await store.flush();
    const saved = await readJson(file);
    expect(saved['ui']).toEqual(JSON.parse((await fixtureBytes('v1.json')).toString())['ui']);
    expect((saved['renderer'] as Record<string, unknown>)['window_bounds']).toEqual({ x: 10, y: 20, width: 1280, height: 800 });
  });

  it('keeps unknown keys at every level through every kind of change and many saves', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const doc = {
      version: 3,
      app_server: { restart_count: 1, last_restart_at: null, last_disconnect_reason: null, u_app_server: [1, { a: null }] },
      renderer: { last_ready_at: null, last_heartbeat_at: null, recovery_attempts: 0, last_recovery_at: null, u_renderer: 'r' },
      startup: {
        app_started_at_ms: 5,
        renderer_ready_latency_ms: 6,
        history: [{ started_at_ms: 5, renderer_ready_latency_ms: 6, u_launch: { deep: { er: true } } }],
        u_startup: 0.5,
      },
      incidents: { 'fp1-a': { count: 1, suppressed: 0, first_at: 1, last_at: 1, u_counter: 'c' } },
      u_root: { nested: ['x'] },
    };
    await fsp.writeFile(file, JSON.stringify(doc));
    const { store, clock } = await openWith(file);
    for (let round = 0; round < 3; round++) {
      store.recordAppStarted(clock.now());
      store.recordRendererReady(clock.now() + 10);
      store.recordHeartbeat(clock.now());
      store.recordRecoveryAttempt(clock.now());
      store.resetRecoveryAttempts();
      store.recordSidecarRestart(clock.now(), 'exit 1');
      store.recordIncident('fp1-a', clock.now());
      store.recordIncident(`fp1-new-${round}`, clock.now());
      clock.advance(1000); // the debounced save
      await store.flush();
      const saved = (await readJson(file)) as typeof doc;
      expect(saved.u_root).toEqual(doc.u_root);
      expect(saved.app_server.u_app_server).toEqual(doc.app_server.u_app_server);
      expect(saved.renderer.u_renderer).toBe('r');
      expect(saved.startup.u_startup).toBe(0.5);
      expect(saved.startup.history[0]).toEqual(doc.startup.history[0]);
      expect(saved.incidents['fp1-a']?.u_counter).toBe('c');
    }
    // And through a second store reading what the first wrote.
    const { store: reopened } = await openWith(file);
    expect((reopened.snapshot() as unknown as typeof doc).u_root).toEqual(doc.u_root);
  });

  it('a bad time, reason or fingerprint from the host never makes the next start set the file aside', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const { store, clock } = await openWith(file);
    store.recordAppStarted(Number.NaN);
    store.recordHeartbeat(Number.POSITIVE_INFINITY);
    store.recordRecoveryAttempt(1e300);
    store.recordSidecarRestart(Number.NaN, 137 as unknown as string);
    store.recordIncident('fp1-a', Number.NEGATIVE_INFINITY);
    store.recordIncident('', clock.now());
    await store.close();
    const { store: next, warnings } = await openWith(file);
    expect(warnings).toEqual([]);
    expect(next.loadReport.outcome).toBe('loaded');
    const state = next.snapshot();
    // Each bad time became the clock's.
    expect(state.startup.history).toEqual([{ started_at_ms: clock.now(), renderer_ready_latency_ms: null }]);
    expect(state.renderer).toMatchObject({ last_heartbeat_at: clock.now(), last_recovery_at: clock.now(), recovery_attempts: 1 });
    expect(state.app_server).toMatchObject({ restart_count: 1, last_restart_at: clock.now(), last_disconnect_reason: '137' });
    expect(Object.keys(state.incidents)).toEqual(['fp1-a']);
    expect(state.incidents['fp1-a']).toMatchObject({ first_at: clock.now(), last_at: clock.now() });
  });

  it('two stores on one file: every save leaves a whole, valid file; the last save wins', async () => {
    const { file } = await stateFileFrom('v1.json');
    const [a, b] = await Promise.all([openWith(file), openWith(file)]);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      a.store.recordIncident(`fp1-a${i}`, 1000 + i);
      b.store.recordIncident(`fp1-b${i}`, 1000 + i);
      saves.push(a.store.flush(), b.store.flush());
      if (i % 5 === 0) {
        // Read while saves are in flight: whole and valid (decodeState throws on a torn file).
        expect(decodeState(await fsp.readFile(file), file).from).toBe(4);
      }
    }
    await Promise.all(saves);
    expect([...a.warnings, ...b.warnings]).toEqual([]);
    a.store.recordHeartbeat(77);
    await a.store.flush();
    const { state } = decodeState(await fsp.readFile(file), file);
    expect(state).toEqual(a.store.snapshot());
    // The v1 original was kept once as .bak (both stores migrated the same bytes), and no temp file is left.
    expect(await fsp.readFile(`${file}.bak`)).toEqual(await fixtureBytes('v1.json'));
    expect((await listDir(path.dirname(file))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('StateStore: temp files of killed writers', () => {
  it('removes temp files whose writer is gone on open, and keeps those of live processes and others', async () => {
    const { dir, file } = await stateFileFrom('v4.json');
    const dead = ['.state.json.999999.0a1b2c3d.tmp', '.state.json.bak.999998.deadbeef.tmp'];
    const kept = [`.state.json.${process.ppid}.0a1b2c3d.tmp`, '.other.json.999999.0a1b2c3d.tmp', 'notes.tmp'];
    for (const name of [...dead, ...kept]) await fsp.writeFile(path.join(dir, name), 'x');
    const removed = await removeStaleTempFiles(file, (pid) => pid === process.ppid);
    expect(removed.map((p) => path.basename(p)).sort()).toEqual([...dead].sort());
    expect(await listDir(dir)).toEqual([...kept, 'state.json'].sort());
  });

  it('open() cleans up after a writer that is gone', async () => {
    const { dir, file } = await stateFileFrom('v4.json');
    // pid 2^22+1 is above Linux's pid_max ceiling, so no process has it.
    await fsp.writeFile(path.join(dir, '.state.json.4194305.00aa11bb.tmp'), '{"version":3,"half');
    await StateStore.open({ file, clock: new ManualClock(1_763_000_000_000) });
    expect(await listDir(dir)).toEqual(['state.json']);
  });
});
