/**
 * A run longer than Relay keeps sessions for. Relay drops a session update whose `started` is more
 * than 5 days old (getsentry/relay, relay-server/src/services/processor/session.rs
 * `is_valid_session_timestamp`, relay-config `max_session_secs_in_past`), so a desktop app left open
 * for a week would lose its final update, a crash included. After 4 days the session ends `exited`
 * and a new one begins, each step in the state's marker first. Real state file, real outbox files,
 * a manual clock.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SESSION_SPAN_MS, ReleaseHealth } from '../../src/diagnostics/release-health.js';
import { ServiceReporter } from '../../src/diagnostics/service-reporter.js';
import { StateStore } from '../../src/state/store.js';
import { InstallIdSource } from '../../src/upload/install-id.js';
import { MAX_SESSION_AGE_MS } from '../../src/upload/session-drain.js';
import { SessionOutbox } from '../../src/upload/session-outbox.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

describe('release health: sessions never outlive what Relay keeps', () => {
  it('a run open past 4 days ends its session exited and starts a new one; close() ends the new one', async () => {
    expect(MAX_SESSION_SPAN_MS).toBeLessThan(MAX_SESSION_AGE_MS);
    const dir = await tempDir();
    const clock = new ManualClock(Date.parse('2026-11-20T09:00:00Z'));
    const state = await StateStore.open({ file: path.join(dir, 'state.json'), clock });
    const reporter = new ServiceReporter();
    const outboxDir = path.join(dir, 'outbox');
    const health = new ReleaseHealth({
      dataDir: dir,
      outboxDir,
      clock,
      release: 'Codex@1.2.3',
      environment: 'production',
      reporter,
      state,
      installId: InstallIdSource.inDataDir(dir),
    });
    await health.start();
    const first = state.session()!;
    expect(first).toMatchObject({ status: 'ok', seq: 0 });

    clock.advance(MAX_SESSION_SPAN_MS);
    await waitFor(() => state.session()?.sid !== first.sid, 'the second session', 20_000);
    await health.close();
    const updates = (await fsp.readdir(path.join(outboxDir, 'sessions'))).sort();
    const payloads = await Promise.all(updates.map(async (name) => JSON.parse(await fsp.readFile(path.join(outboxDir, 'sessions', name), 'utf8'))));
    const firstSession = payloads.filter((u) => u.sid === first.sid).sort((a, b) => a.seq - b.seq);
    expect(firstSession.map((u) => [u.seq, u.init, u.status])).toEqual([
      [0, true, 'ok'],
      [1, false, 'exited'],
    ]);
    expect(firstSession[1]!.duration).toBe(MAX_SESSION_SPAN_MS / 1000);
    const second = payloads.filter((u) => u.sid !== first.sid).sort((a, b) => a.seq - b.seq);
    expect(second.map((u) => [u.seq, u.init, u.status])).toEqual([
      [0, true, 'ok'],
      [1, false, 'exited'],
    ]);
    expect(second[0]!.started).toBe(new Date(Date.parse('2026-11-20T09:00:00Z') + MAX_SESSION_SPAN_MS).toISOString());
    expect(new Set(payloads.map((u) => u.did)).size).toBe(1);
    // The merged view the drain sends: one update per session, each inside Relay's window when sent now.
    const pending = await new SessionOutbox(outboxDir).list();
    for (const p of pending) expect(clock.now() - Date.parse(p.update.started)).toBeLessThan(MAX_SESSION_AGE_MS);
    expect(state.session()).toMatchObject({ sid: second[0]!.sid, status: 'exited' });
    // No timer is left behind after close().
    expect(clock.pending).toBe(0);
    await state.close();
    expect(reporter.counter.report().total).toBe(0);
    await fsp.rm(dir, { recursive: true, force: true });
  });
});
