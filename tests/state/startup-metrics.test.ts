import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import { percentile } from '../../src/state/startup-metrics.js';
import { INCIDENT_COUNTER_LIMIT } from '../../src/state/mutations.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { stateFileFrom } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

async function freshStore() {
  const clock = new ManualClock(1_800_000_000_000);
  const store = await StateStore.open({ file: path.join(await tempDir(), 'state.json'), clock, debounceMs: 1000 });
  return { store, clock };
}

describe('startup metrics', () => {
  it('records the app start and the renderer-ready latency of this launch', async () => {
    const { store, clock } = await freshStore();
    store.recordAppStarted();
    clock.advance(1234);
    expect(store.recordRendererReady()).toBe(1234);
    const { startup, renderer } = store.snapshot();
    expect(startup.app_started_at_ms).toBe(1_800_000_000_000);
    expect(startup.renderer_ready_latency_ms).toBe(1234);
    expect(startup.history).toEqual([{ started_at_ms: 1_800_000_000_000, renderer_ready_latency_ms: 1234 }]);
    expect(renderer.last_ready_at).toBe(1_800_000_001_234);
  });

  it('a second ready in the same launch does not overwrite the latency', async () => {
    const { store, clock } = await freshStore();
    store.recordAppStarted();
    clock.advance(500);
    store.recordRendererReady();
    clock.advance(9_000); // e.g. the renderer reloaded after a crash
    expect(store.recordRendererReady()).toBe(500);
    expect(store.snapshot().startup.renderer_ready_latency_ms).toBe(500);
    expect(store.snapshot().startup.history.at(-1)?.renderer_ready_latency_ms).toBe(500);
    expect(store.snapshot().renderer.last_ready_at).toBe(1_800_000_009_500);
  });

  it('never records a negative latency (wall clock set back between start and ready)', async () => {
    const { store } = await freshStore();
    store.recordAppStarted(10_000);
    expect(store.recordRendererReady(9_000)).toBe(0);
    expect(store.snapshot().startup.renderer_ready_latency_ms).toBe(0);
  });

  it('does not attribute a ready to a launch this process did not start', async () => {
    const { file } = await stateFileFrom('v3.json');
    const store = await StateStore.open({ file, clock: new ManualClock(1_763_900_000_000) });
    expect(store.recordRendererReady()).toBeNull();
    const { startup } = store.snapshot();
    expect(startup.renderer_ready_latency_ms).toBe(1000); // the previous launch's, untouched
    expect(startup.history).toHaveLength(2);
  });

  it('keeps the last 50 launches, oldest dropped first', async () => {
    const { store, clock } = await freshStore();
    for (let launch = 0; launch < 60; launch++) {
      store.recordAppStarted();
      clock.advance(launch);
      store.recordRendererReady();
      clock.advance(60_000);
    }
    const history = store.snapshot().startup.history;
    expect(history).toHaveLength(50);
    expect(history[0]?.renderer_ready_latency_ms).toBe(10);
    expect(history.at(-1)?.renderer_ready_latency_ms).toBe(59);
  });

  it('gives p50 and p95 over the launches that reached ready', async () => {
    const { store, clock } = await freshStore();
    for (let latency = 1; latency <= 20; latency++) {
      store.recordAppStarted();
      clock.advance(latency * 100);
      store.recordRendererReady();
    }
    store.recordAppStarted(); // a launch that never got ready: counted, not sampled
    expect(store.startupSummary()).toEqual({ launches: 21, samples: 20, p50_ms: 1000, p95_ms: 1900, last_ms: null });
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).toBe(1);
  });
});

describe('counters', () => {
  it('counts recovery attempts and resets them', async () => {
    const { store, clock } = await freshStore();
    expect(store.recordRecoveryAttempt()).toBe(1);
    clock.advance(10);
    expect(store.recordRecoveryAttempt()).toBe(2);
    expect(store.snapshot().renderer).toMatchObject({ recovery_attempts: 2, last_recovery_at: 1_800_000_000_010 });
    store.resetRecoveryAttempts();
    expect(store.snapshot().renderer.recovery_attempts).toBe(0);
  });

  it('counts sidecar restarts with the last reason', async () => {
    const { store } = await freshStore();
    store.recordSidecarRestart(1, 'exit code 101');
    expect(store.recordSidecarRestart(2, 'signal SIGKILL')).toBe(2);
    expect(store.snapshot().app_server).toEqual({ restart_count: 2, last_restart_at: 2, last_disconnect_reason: 'signal SIGKILL' });
  });

  it('counts incidents by fingerprint, suppressed ones apart', async () => {
    const { store } = await freshStore();
    store.recordIncident('fp1-a', 100);
    store.recordIncident('fp1-a', 300, { suppressed: true });
    store.recordIncident('fp1-b', 200);
    expect(store.snapshot().incidents).toEqual({
      'fp1-a': { count: 2, suppressed: 1, first_at: 100, last_at: 300 },
      'fp1-b': { count: 1, suppressed: 0, first_at: 200, last_at: 200 },
    });
  });

  it(`keeps at most ${INCIDENT_COUNTER_LIMIT} fingerprints, the least recently seen dropped`, async () => {
    const { store } = await freshStore();
    for (let i = 0; i < INCIDENT_COUNTER_LIMIT + 5; i++) store.recordIncident(`fp1-${i}`, 1000 + i);
    store.recordIncident('fp1-late-but-old-clock', 1); // the newest entry is never the one dropped
    const incidents = store.snapshot().incidents;
    expect(Object.keys(incidents)).toHaveLength(INCIDENT_COUNTER_LIMIT);
    expect(incidents['fp1-0']).toBeUndefined();
    expect(incidents['fp1-late-but-old-clock']).toBeDefined();
    expect(incidents[`fp1-${INCIDENT_COUNTER_LIMIT + 4}`]).toBeDefined();
  });

  it('snapshot() is a copy: changing it does not change the store', async () => {
    const { store } = await freshStore();
    const copy = store.snapshot();
    copy.app_server.restart_count = 99;
    expect(store.snapshot().app_server.restart_count).toBe(0);
  });
});
