/**
 * The event as Sentry's UI and ingest read it. References:
 * - contexts: https://develop.sentry.dev/sdk/data-model/event-payloads/contexts/ (os: name,
 *   version, build, kernel_version; device: family, arch, memory_size, free_memory,
 *   processor_count; runtime; app: app_memory, app_start_time, build_type; gpu: name required);
 *   the Sentry Electron SDK's shapes (getsentry/sentry-electron src/main/context.ts:
 *   darwin -> macOS, win32 -> Windows, linux -> Linux, device family Desktop, runtime Electron
 *   with chrome and node runtime contexts, release `<name with \W as ->@<version>`, environment
 *   `development` when process.defaultApp);
 * - exception/stacktrace/mechanism: https://develop.sentry.dev/sdk/data-model/event-payloads/exception/
 *   and .../stacktrace/ (frames oldest first, in_app, mechanism.type required);
 * - Relay's limits: tag keys 32 and values 200 characters (MaxChars::TagKey/TagValue);
 *   timestamps more than 30 days old or 60 s ahead are replaced (relay-config max_secs_in_past,
 *   max_secs_in_future).
 * Every event is also validated against Relay's published event schema (sentry-schemas.ts).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainOutbox, enqueueBundle } from '../../src/upload/index.js';
import type { LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle, type TestBundleOptions } from './helpers.js';
import { eventSchemaProblems } from './sentry-schemas.js';
import { useLocalIngest } from './local-ingest-setup.js';

let dir: string;
let ingest: LocalIngest;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

useLocalIngest(NOW, (setup) => ({ dir, ingest } = setup));

type Json = Record<string, any>;

/** Builds a real bundle, sends it through the outbox over HTTP, and returns the event as received. */
async function sentEvent(options: TestBundleOptions, now = NOW): Promise<Json> {
  const outboxDir = path.join(dir, `outbox-${Math.random().toString(36).slice(2)}`);
  const clock = new ManualClock(now);
  await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, options), clock });
  const before = ingest.events().length;
  expect(await drainOutbox({ outboxDir, dsn: ingest.dsn, clock })).toMatchObject({ sent: 1 });
  const event = ingest.events()[before] as Json;
  expect(eventSchemaProblems(event)).toEqual([]);
  return event;
}

const ELECTRON_MAC = {
  os: 'darwin',
  osType: 'Darwin',
  release: '23.4.0',
  osVersion: '14.4.1',
  kernelBuild: 'Darwin Kernel Version 23.4.0',
  arch: 'arm64',
  totalMemoryBytes: 17_179_869_184,
  freeMemoryBytes: 4_294_967_296,
  cpuCount: 10,
  cpuModel: 'Apple M1 Pro',
  node: '22.20.0',
  electron: '41.7.1',
  chrome: '146.0.7680.80',
  appMemoryBytes: 314_572_800,
  packaged: true,
};

describe('contexts with Sentry’s names, as the Electron SDK shapes them', () => {
  it('macOS in Electron: os, device, runtime Electron with chrome and node, app', async () => {
    const event = await sentEvent({ system: ELECTRON_MAC, lines: 3 });
    expect(event.contexts.os).toEqual({ name: 'macOS', version: '14.4.1', kernel_version: '23.4.0' });
    expect(event.contexts.device).toEqual({ family: 'Desktop', arch: 'arm64', memory_size: 17_179_869_184, free_memory: 4_294_967_296, processor_count: 10, cpu_description: 'Apple M1 Pro' });
    expect(event.contexts.runtime).toEqual({ name: 'Electron', version: '41.7.1' });
    expect(event.contexts.chrome).toEqual({ type: 'runtime', name: 'Chrome', version: '146.0.7680.80' });
    expect(event.contexts.node).toEqual({ type: 'runtime', name: 'Node', version: '22.20.0' });
    expect(event.contexts.app).toMatchObject({ app_name: 'Codex', app_version: '1.2.3', app_memory: 314_572_800, app_start_time: '2025-11-20T09:00:00.000Z' });
    expect(event.tags.os).toBe('macOS 14.4.1');
    expect(event.environment).toBe('production');
    expect(event.release).toBe('Codex@1.2.3');
  });

  it('Windows: human name, product version and build; a Store build says so', async () => {
    const event = await sentEvent({ lines: 1, system: { os: 'win32', osType: 'Windows_NT', release: '10.0.22631', osVersion: '10.0.22631', electron: '41.7.1', buildType: 'windows-store', packaged: true } });
    expect(event.contexts.os).toEqual({ name: 'Windows', version: '10.0.22631', kernel_version: '10.0.22631', build: '22631' });
    expect(event.contexts.app.build_type).toBe('windows-store');
  });

  it('Linux: kernel release and build, the distribution from os-release; a bundle made outside Electron runs on Node', async () => {
    const event = await sentEvent({ lines: 1, system: { kernelBuild: '#1 SMP PREEMPT_DYNAMIC', distribution: { name: 'ubuntu', version: '24.04', pretty_name: 'Ubuntu 24.04.1 LTS' } } });
    expect(event.contexts.os).toEqual({
      name: 'Linux',
      version: '6.8.0',
      kernel_version: '6.8.0',
      build: '#1 SMP PREEMPT_DYNAMIC',
      distribution: { name: 'ubuntu', version: '24.04', pretty_name: 'Ubuntu 24.04.1 LTS' },
    });
    expect(event.contexts.runtime).toEqual({ name: 'Node', version: '20.20.0' });
    expect(event.contexts.chrome).toBeUndefined();
    expect(event.tags.os).toBe('Linux 6.8.0');
  });

  it('a GPU the app gave is a gpu context; none without one', async () => {
    const event = await sentEvent({ lines: 1, system: { ...ELECTRON_MAC, gpu: { name: 'Apple M1 Pro', vendor_name: 'Apple', api_type: 'Metal' } } });
    expect(event.contexts.gpu).toEqual({ name: 'Apple M1 Pro', vendor_name: 'Apple', api_type: 'Metal' });
    expect((await sentEvent({ lines: 1 })).contexts.gpu).toBeUndefined();
  });
});

describe('release, environment, dist', () => {
  it('an unpackaged app is development; the app’s own environment and dist win', async () => {
    expect((await sentEvent({ lines: 1, system: { ...ELECTRON_MAC, packaged: false } })).environment).toBe('development');
    const demo = await sentEvent({ lines: 1, app: { name: 'Codex Desktop', version: '2.0.0-beta.1', dist: '4711', environment: 'demo' } });
    expect(demo).toMatchObject({ release: 'Codex-Desktop@2.0.0-beta.1', environment: 'demo', dist: '4711' });
    expect(demo.contexts.app.app_build).toBe('4711');
  });
});

describe('what Sentry’s ingest would drop or rewrite', () => {
  it('a 254-character reason keeps its tag, cut to 200 characters', async () => {
    const reason = `x${'y'.repeat(253)}`;
    const incident = { kind: 'render-process-gone', reason, exitCode: 1, url: 'app://codex/chat/1', occurredAt: '2026-11-20T10:00:00.000Z' };
    const event = await sentEvent({ lines: 1, incident });
    expect(Array.from(event.tags['diag.reason'] as string)).toHaveLength(200);
    for (const [key, value] of Object.entries(event.tags as Record<string, string>)) {
      expect(key.length).toBeLessThanOrEqual(32);
      expect(Array.from(value).length).toBeLessThanOrEqual(200);
      expect(value).not.toMatch(/\n/);
    }
    expect(event.contexts.incident.reason).toBe(reason);
  });

  it('an incident older than 30 days is dated inside Sentry’s window, the original time kept', async () => {
    const old = await sentEvent({ lines: 1 }, Date.parse('2026-11-20T10:00:00.000Z') + 40 * 86_400_000);
    const sentAt = Date.parse('2026-11-20T10:00:00.000Z') + 40 * 86_400_000;
    expect(old.timestamp * 1000).toBeGreaterThan(sentAt - 30 * 86_400_000);
    expect(old.contexts.incident).toMatchObject({ occurred_at: '2026-11-20T10:00:00.000Z', timestamp_clamped: true, occurredAt: '2026-11-20T10:00:00.000Z' });
    const recent = await sentEvent({ lines: 1 });
    expect(recent.timestamp).toBe(Date.parse('2026-11-20T10:00:00.000Z') / 1000);
    expect(recent.contexts.incident.timestamp_clamped).toBeUndefined();
  });

  it('an incident from the future (a wrong clock) is dated at the send time', async () => {
    const event = await sentEvent({ lines: 1 }, Date.parse('2026-11-20T09:00:00.000Z'));
    expect(event.timestamp).toBe(Date.parse('2026-11-20T09:00:00.000Z') / 1000);
  });
});

describe('an exception with frames', () => {
  const STACK = [
    'Error: hang',
    '    at renderList (app://codex/assets/index-3f2a.js:1:4410)',
    '    at async loadThread (app://codex/assets/index-3f2a.js:12:88)',
    '    at Object.dispatch (app://codex/node_modules/react-dom/cjs/react-dom.js:3991:14)',
    '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ].join('\n');

  it('an unresponsive renderer: ApplicationNotResponding, ANR mechanism, frames oldest first, in_app for the app’s own', async () => {
    const incident = { kind: 'unresponsive', url: 'app://codex/settings', durationMs: 8000, stack: STACK, occurredAt: '2026-11-20T10:00:00.000Z' };
    const event = await sentEvent({ lines: 1, incident });
    const [exception] = event.exception.values;
    expect(exception).toMatchObject({ type: 'ApplicationNotResponding', value: event.message, mechanism: { type: 'ANR', handled: false, data: { duration_ms: '8000' } } });
    expect(exception.stacktrace.frames).toEqual([
      { function: 'processTicksAndRejections', abs_path: 'node:internal/process/task_queues', filename: 'node:internal/process/task_queues', lineno: 95, colno: 5, in_app: false },
      { function: 'Object.dispatch', abs_path: 'app://codex/node_modules/react-dom/cjs/react-dom.js', filename: '/node_modules/react-dom/cjs/react-dom.js', lineno: 3991, colno: 14, in_app: false },
      { function: 'loadThread', abs_path: 'app://codex/assets/index-3f2a.js', filename: '/assets/index-3f2a.js', lineno: 12, colno: 88, in_app: true },
      { function: 'renderList', abs_path: 'app://codex/assets/index-3f2a.js', filename: '/assets/index-3f2a.js', lineno: 1, colno: 4410, in_app: true },
    ]);
  });

  it('the most sampled stack when only samples were taken; no stack at all still reads as an ANR', async () => {
    const sampled = await sentEvent({ lines: 1, incident: { kind: 'unresponsive', url: 'app://codex/x', stacks: [{ stack: '    at a (app://codex/a.js:1:1)', count: 1 }, { stack: '    at b (app://codex/b.js:2:2)', count: 5 }] } });
    expect(sampled.exception.values[0].stacktrace.frames).toEqual([{ function: 'b', abs_path: 'app://codex/b.js', filename: '/b.js', lineno: 2, colno: 2, in_app: true }]);
    const bare = await sentEvent({ lines: 1, incident: { kind: 'unresponsive', url: 'app://codex/x' } });
    expect(bare.exception.values[0]).toMatchObject({ type: 'ApplicationNotResponding', mechanism: { type: 'ANR' } });
    expect(bare.exception.values[0].stacktrace).toBeUndefined();
  });

  it('any other incident carrying a JS stack gets one too; a crash without one does not', async () => {
    const withStack = await sentEvent({ lines: 1, incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1', stack: STACK } });
    expect(withStack.exception.values[0]).toMatchObject({ type: 'RenderProcessGone', mechanism: { type: 'codex-diag.render-process-gone', handled: false } });
    expect(withStack.exception.values[0].stacktrace.frames).toHaveLength(4);
    expect((await sentEvent({ lines: 1 })).exception).toBeUndefined();
  });
});

describe('breadcrumbs of plain text lines', () => {
  it('a real level and the line’s own time where it has them', async () => {
    const rawLines = [
      { source: 'sidecar.log', text: '[2026-11-20 09:59:58] ERROR codex_core::exec: command failed' },
      { source: 'sidecar.log', text: '2026-11-20T09:59:59.250+01:00  WARN codex::net: retrying' },
      { source: 'sidecar.log', text: "thread 'main' panicked at src/main.rs:10:5" },
      { source: 'sidecar.log', text: 'no error here, just a sentence' },
    ];
    const event = await sentEvent({ lines: 0, rawLines });
    expect(event.breadcrumbs.map((c: Json) => [c.level, c.timestamp])).toEqual([
      ['error', Date.parse('2026-11-20T09:59:58Z') / 1000],
      ['warning', Date.parse('2026-11-20T08:59:59.250Z') / 1000],
      ['fatal', undefined],
      ['info', undefined],
    ]);
  });
});

describe('the schema check itself', () => {
  it('refuses what Relay refuses (so a pass means something)', () => {
    expect(eventSchemaProblems({ level: 'log' })).not.toEqual([]);
    expect(eventSchemaProblems({ tags: { a: 1 } })).not.toEqual([]);
    expect(eventSchemaProblems({ exception: { values: [{ mechanism: { handled: false } }] } })).not.toEqual([]);
    expect(eventSchemaProblems({ not_a_field: true })).not.toEqual([]);
    expect(eventSchemaProblems({ message: 'ok', breadcrumbs: [{ message: 'x', level: 'info' }] })).toEqual([]);
  });
});
