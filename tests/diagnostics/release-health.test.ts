/**
 * Release health end to end through the embed API (https://develop.sentry.dev/sdk/telemetry/sessions/):
 * one session per run; `init` first; `exited` on close(); `crashed` after a fatal incident (no
 * `exited` after it: terminal states get no further updates); `abnormal`, on the next start, for a
 * run that ended without close() (the state file's session marker, v4); `did` the install id the
 * delivery budget uses too; an upgrade from the older release-health.json keeps its run and id;
 * `sessions: false` sends none. Each
 * session item is checked against the session payload's constraints (tests/upload/sentry-schemas.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { sessionSchemaProblems } from '../upload/sentry-schemas.js';

let root: string;
let ingest: LocalIngest;

beforeEach(async () => {
  root = makeTempDir('codex-diag-sessions-').dir;
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  removeDir(root);
});

function sessions(): Array<Record<string, any>> {
  const items = ingest.envelopes.flatMap((e) => e.items.filter(([h]) => h.type === 'session').map(([, p]) => p as Record<string, any>));
  for (const item of items) expect(sessionSchemaProblems(item)).toEqual([]);
  return items;
}

function open(clock: ManualClock, extra: Record<string, unknown> = {}) {
  return createDiagnostics({
    logDir: path.join(root, 'logs'),
    dataDir: path.join(root, 'data'),
    log: false,
    env: {},
    dsn: ingest.dsn,
    clock,
    app: { name: 'Codex', version: '1.2.3' },
    upload: { startDelayMs: 1_000 },
    ...extra,
  });
}

describe('one Sentry session per app run', () => {
  it('init after the start delay, exited on close, the same release and environment as events', async () => {
    const clock = new ManualClock();
    const diag = await open(clock);
    clock.advance(1_000);
    await waitFor(() => sessions().length === 1, 'the init update', 20_000);
    const [init] = sessions();
    expect(init).toMatchObject({ init: true, status: 'ok', errors: 0, attrs: { release: 'Codex@1.2.3', environment: 'production' } });
    expect(init!.did).toMatch(/^[0-9a-f-]{36}$/);
    // Sent and taken off the outbox before time moves on (a 90 s jump would time the request out).
    await waitFor(() => readdirSync(path.join(root, 'data', 'outbox', 'sessions')).length === 0, 'the init update to leave the outbox', 20_000);
    clock.advance(90_000);
    await diag.close({ timeoutMs: 5_000 });
    await waitFor(() => sessions().length === 2, 'the exited update', 20_000);
    expect(sessions()[1]).toMatchObject({ sid: init!.sid, did: init!.did, init: false, status: 'exited', duration: 91 });
  });

  it('a fatal incident ends the session as crashed; close() sends no exited after it', async () => {
    const clock = new ManualClock();
    const diag = await open(clock);
    clock.advance(1_000);
    await waitFor(() => sessions().length === 1, 'the init update', 20_000);
    await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' });
    await waitFor(() => sessions().some((s) => s.status === 'crashed'), 'the crashed update', 20_000);
    await diag.close({ timeoutMs: 5_000 });
    const all = sessions();
    expect(all.find((s) => s.status === 'crashed')).toMatchObject({ errors: 1, init: false });
    expect(all.some((s) => s.status === 'exited')).toBe(false);
    expect(ingest.events()).toHaveLength(1);
  });

  it('a run that ended without close() is reported abnormal on the next start; the install id stays', async () => {
    const clock = new ManualClock();
    // The first run's own clock never moves: like a process killed at once, it sends nothing more.
    const first = await open(new ManualClock());
    const stateFile = path.join(root, 'data', 'state.json');
    const marker = () => {
      try {
        return JSON.parse(readFileSync(stateFile, 'utf8')).session as Record<string, any> | null;
      } catch {
        return null;
      }
    };
    await waitFor(() => marker()?.status === 'ok', 'the first run’s session marker in state', 20_000);
    const stateDoc = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(stateDoc.version).toBe(4);
    expect(stateDoc.session).toMatchObject({ seq: 0, errors: 0, release: 'Codex@1.2.3', environment: 'production' });
    const firstSid = marker()!.sid as string;
    const sessionsDir = path.join(root, 'data', 'outbox', 'sessions');
    await waitFor(() => existsSync(sessionsDir) && readdirSync(sessionsDir).some((f) => f.startsWith(firstSid)), 'the first run’s init update', 20_000);
    // The first run is never closed (killed): a second run starts on the same data dir.
    const second = await open(clock);
    clock.advance(1_000);
    await waitFor(() => sessions().some((s) => s.sid === firstSid && s.status === 'abnormal') && sessions().some((s) => s.sid !== firstSid), 'the abnormal and init updates', 20_000);
    // Whether its init went out on its own or merged with the abnormal end, Sentry's first update
    // of that session is marked init and no later one is.
    const firstRun = sessions().filter((s) => s.sid === firstSid);
    expect(firstRun.map((s) => s.init)).toEqual([true, ...firstRun.slice(1).map(() => false)]);
    expect(firstRun[firstRun.length - 1]).toMatchObject({ status: 'abnormal', seq: 1 });
    const next = sessions().find((s) => s.sid !== firstSid)!;
    expect(next).toMatchObject({ status: 'ok', init: true, seq: 0, did: firstRun[0]!.did });
    // One install id: release health's did is the id the delivery budget samples by.
    expect(readFileSync(path.join(root, 'data', 'install-id'), 'utf8').trim()).toBe(next.did);
    await waitFor(() => marker()?.sid === next.sid, 'the second run’s marker', 20_000);
    await second.close({ timeoutMs: 5_000 });
    expect(marker()).toMatchObject({ sid: next.sid, status: 'exited', seq: 1 });
    await first.close({ timeoutMs: 1_000 });
  });

  it('an upgrade from release-health.json: its open run is reported abnormal, its did kept as the install id, the file removed', async () => {
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    const did = '3b8f2a61-5c4d-4e7f-9a0b-1c2d3e4f5a6b';
    const sid = '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
    // What the earlier release wrote: a run still open (killed), and a v3 state file with no session.
    writeFileSync(
      path.join(dataDir, 'release-health.json'),
      JSON.stringify({ version: 1, install_id: did, run: { sid, did, startedAtMs: Date.parse('2026-11-29T10:00:00Z'), release: 'Codex@1.2.2', environment: 'production', errors: 1, status: 'ok' } }),
    );
    writeFileSync(path.join(dataDir, 'install-id'), '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a\n');
    writeFileSync(path.join(dataDir, 'state.json'), JSON.stringify({ version: 3, kept: 'yes' }));
    const clock = new ManualClock(Date.parse('2026-11-30T10:00:00Z'));
    const diag = await open(clock);
    clock.advance(1_000);
    await waitFor(() => sessions().some((s) => s.sid === sid) && sessions().some((s) => s.sid !== sid), 'the abnormal and init updates', 20_000);
    expect(sessions().find((s) => s.sid === sid)).toMatchObject({ status: 'abnormal', init: false, did, errors: 1, seq: 1, attrs: { release: 'Codex@1.2.2' } });
    expect(sessions().find((s) => s.sid !== sid)).toMatchObject({ status: 'ok', init: true, did });
    expect(readFileSync(path.join(dataDir, 'install-id'), 'utf8')).toBe(`${did}\n`);
    await waitFor(() => !existsSync(path.join(dataDir, 'release-health.json')), 'the old file to go', 20_000);
    const state = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ version: 4, kept: 'yes', session: { status: 'ok', release: 'Codex@1.2.3' } });
    await diag.close({ timeoutMs: 5_000 });
  });

  it('sessions: false sends none (events still go)', async () => {
    const clock = new ManualClock();
    const diag = await open(clock, { sessions: false });
    await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' });
    clock.advance(1_000);
    await waitFor(() => ingest.events().length === 1, 'the event', 20_000);
    await diag.close({ timeoutMs: 5_000 });
    expect(sessions()).toEqual([]);
  });

  it('the environment option reaches events and sessions alike', async () => {
    const clock = new ManualClock();
    const diag = await open(clock, { environment: 'staging' });
    await diag.recordIncident({ kind: 'render-process-gone', reason: 'oom', exitCode: 11, url: 'app://codex/chat/1' });
    clock.advance(1_000);
    await waitFor(() => ingest.events().length === 1 && sessions().length >= 1, 'the event and the session', 20_000);
    expect(ingest.events()[0]).toMatchObject({ environment: 'staging', release: 'Codex@1.2.3' });
    expect(sessions()[0]!.attrs).toEqual({ release: 'Codex@1.2.3', environment: 'staging' });
    await diag.close({ timeoutMs: 5_000 });
  });
});
