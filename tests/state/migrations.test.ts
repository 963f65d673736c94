import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagError } from '../../src/errors.js';
import { decodeState } from '../../src/state/decode.js';
import { defaultState } from '../../src/state/defaults.js';
import { detectVersion, migrateToCurrent } from '../../src/state/migrations.js';
import { stateV4Schema } from '../../src/state/schemas.js';
import { fixtureBytes } from './helpers.js';

const FILE = '/data/state.json';

async function decodeFixture(name: string) {
  return decodeState(await fixtureBytes(name), FILE);
}

function errorOf(fn: () => unknown): DiagError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DiagError) return error;
    throw error;
  }
  throw new Error('expected a DiagError');
}

describe('state migrations', () => {
  it('migrates a v1 file to v4: seconds become ms, every value and unknown key kept, no session', async () => {
    const { state, from } = await decodeFixture('v1.json');
    expect(from).toBe(1);
    expect(state).toEqual({
      version: 4,
      app_server: {
        restart_count: 4,
        last_restart_at: 1_763_600_000_000,
        last_disconnect_reason: 'stdout closed',
        backoff_ms: 2000,
      },
      renderer: {
        last_ready_at: 1_763_600_123_000,
        last_heartbeat_at: 1_763_600_456_000,
        recovery_attempts: 2,
        last_recovery_at: 1_763_600_300_000,
        window_bounds: { x: 10, y: 20, width: 1280, height: 800 },
      },
      startup: { app_started_at_ms: null, renderer_ready_latency_ms: null, history: [] },
      incidents: {},
      session: null,
      ui: { theme: 'dark', sidebar_open: true },
    });
  });

  it('reads a file without a version key as v1', async () => {
    const { state, from } = await decodeFixture('v1-no-version.json');
    expect(from).toBe(1);
    expect(state.version).toBe(4);
    expect(state.app_server).toEqual({ restart_count: 1, last_restart_at: 1_763_500_000_000, last_disconnect_reason: null });
    expect(state.renderer).toEqual({
      last_ready_at: null,
      last_heartbeat_at: 1_763_500_010_000,
      recovery_attempts: 0,
      last_recovery_at: null,
    });
  });

  it('migrates a v2 file to v4: startup kept (already ms) and seeded into history, unknown keys kept', async () => {
    const { state, from } = await decodeFixture('v2.json');
    expect(from).toBe(2);
    expect(state.app_server).toEqual({
      restart_count: 7,
      last_restart_at: 1_763_700_000_000,
      last_disconnect_reason: 'exit code 101',
      binary_path: '/Applications/Codex.app/Contents/Resources/codex',
    });
    expect(state.renderer.last_recovery_at).toBe(1_763_700_040_000);
    expect(state.startup).toEqual({
      app_started_at_ms: 1_763_699_999_500,
      renderer_ready_latency_ms: 842,
      cold_start: true,
      history: [{ started_at_ms: 1_763_699_999_500, renderer_ready_latency_ms: 842 }],
    });
    expect(state['feature_flags']).toEqual(['liquid_glass', 'remote_tasks']);
    expect(state['window']).toEqual({ maximized: false });
  });

  it('migrates a v3 file to v4: every value and unknown key kept, no run known to be open (session null)', async () => {
    const bytes = await fixtureBytes('v3.json');
    const { state, from } = decodeState(bytes, FILE);
    expect(from).toBe(3);
    expect(state).toEqual({ ...JSON.parse(bytes.toString('utf8')), version: 4, session: null });
  });

  it('reads a v4 file as it is (no conversion), unknown keys at every level kept, the session marker too', async () => {
    const bytes = await fixtureBytes('v4.json');
    const { state, from } = decodeState(bytes, FILE);
    expect(from).toBe(4);
    expect(state).toEqual(JSON.parse(bytes.toString('utf8')));
    expect(state.session).toMatchObject({ status: 'ok', seq: 1, window: 'main' });
  });

  it.each([
    [{ version: 4, session: { sid: 'nope', started_at_ms: 1, status: 'ok', release: 'a@1' } }, 'session.sid'],
    [{ version: 4, session: { sid: '6f1f5b1e-7d43-4c1a-9a57-3e2b8d0c4f21', started_at_ms: 1, status: 'gone', release: 'a@1' } }, 'session.status'],
    [{ version: 4, session: { sid: '6f1f5b1e-7d43-4c1a-9a57-3e2b8d0c4f21', started_at_ms: -1, status: 'ok', release: 'a@1' } }, 'session.started_at_ms'],
    [{ version: 3, session: 'open' }, 'session'],
  ])('a session marker that does not fit v4 makes the file corrupt (%j), never silently dropped', (doc, where) => {
    const error = errorOf(() => migrateToCurrent(doc, FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain(`state v4`);
    expect(error.message).toContain(`: ${where}: `);
  });

  it('fills what a partial older file lacks with defaults (as serde(default) did)', () => {
    const { state } = migrateToCurrent({ version: 2, startup: { app_started_at_ms: 5 } }, FILE);
    expect(state).toEqual({
      ...defaultState(),
      startup: { app_started_at_ms: 5, renderer_ready_latency_ms: null, history: [{ started_at_ms: 5, renderer_ready_latency_ms: null }] },
    });
  });

  it('rounds fractional v1 seconds to whole ms', () => {
    const { state } = migrateToCurrent({ renderer: { last_ready_at: 1.0005 } }, FILE);
    expect(state.renderer.last_ready_at).toBe(1001);
  });

  it('never changes the document it was given', async () => {
    const doc = JSON.parse((await fixtureBytes('v1.json')).toString('utf8'));
    const before = structuredClone(doc);
    migrateToCurrent(doc, FILE);
    expect(doc).toEqual(before);
  });

  it('names the file, version and field when a document does not validate', () => {
    const error = errorOf(() => migrateToCurrent({ version: 2, app_server: { restart_count: 'three' } }, FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain(FILE);
    expect(error.message).toContain('state v2');
    expect(error.message).toContain('app_server.restart_count');
  });

  it.each([
    [{ startup: 'fast' }, 'state v2 (migrating from v1): startup: Invalid input: expected object, received string'],
    [{ incidents: [1] }, 'state v3 (migrating from v1): incidents: Invalid input: expected record, received array'],
    [{ session: [1] }, 'state v4 (migrating from v1): session: Invalid input: expected object, received array'],
    [{ version: 2, startup: { history: 'x' } }, 'state v3 (migrating from v2): startup.history: Invalid input: expected array, received string'],
  ])('never drops an older file\'s key that a newer version defines differently: %j is corrupt, not rewritten', (doc, message) => {
    const error = errorOf(() => migrateToCurrent(doc, FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toBe(`state file ${FILE} does not match ${message}`);
  });

  it.each([
    [null, 'not a JSON object'],
    [[1, 2], 'not a JSON object'],
    ['text', 'not a JSON object'],
    [{ version: '3' }, '"version" must be a positive integer'],
    [{ version: 0 }, '"version" must be a positive integer'],
    [{ version: 2.5 }, '"version" must be a positive integer'],
  ])('calls %j corrupt', (doc, message) => {
    const error = errorOf(() => detectVersion(doc, FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain(message);
  });

  it('refuses a newer version, naming both versions', () => {
    const error = errorOf(() => detectVersion({ version: 99 }, FILE));
    expect(error.code).toBe('STATE_FROM_NEWER_VERSION');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('version 99');
    expect(error.message).toContain('up to 4');
  });

  it.each([
    ['', 'is empty'],
    ['{"version":1,"app_server":{"restart_co', 'not valid JSON'],
    ['\u0000\u0001\u00ff\u0002binary', 'not valid JSON'],
  ])('calls the bytes %j corrupt', (text, message) => {
    const error = errorOf(() => decodeState(Buffer.from(text, 'latin1'), FILE));
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toContain(message);
  });

  it('accepts a UTF-8 BOM (a file fixed by hand in a Windows editor)', () => {
    const { from } = decodeState(Buffer.from('\ufeff{"version":3}', 'utf8'), FILE);
    expect(from).toBe(3);
  });

  it('keeps every value and unknown key of any v1 document (property)', () => {
    const seconds = fc.option(fc.integer({ min: 0, max: 4_000_000_000 }), { nil: null });
    const extraKey = fc.string({ minLength: 1, maxLength: 8 }).map((k) => `x_${k}`);
    const extras = fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 3 });
    const v1 = fc.record({
      app_server: fc.record({
        restart_count: fc.nat(),
        last_restart_at: seconds,
        last_disconnect_reason: fc.option(fc.string(), { nil: null }),
      }),
      renderer: fc.record({
        last_ready_at: seconds,
        last_heartbeat_at: seconds,
        recovery_attempts: fc.nat(),
        last_recovery_at: seconds,
      }),
    });
    fc.assert(
      fc.property(v1, extras, extras, (doc, topExtras, nestedExtras) => {
        const input = { ...topExtras, ...doc, app_server: { ...nestedExtras, ...doc.app_server } };
        const { state } = migrateToCurrent(JSON.parse(JSON.stringify(input)), FILE);
        const ms = (s: number | null) => (s === null ? null : s * 1000);
        expect(state.app_server.restart_count).toBe(doc.app_server.restart_count);
        expect(state.app_server.last_restart_at).toBe(ms(doc.app_server.last_restart_at));
        expect(state.app_server.last_disconnect_reason).toBe(doc.app_server.last_disconnect_reason);
        expect(state.renderer.last_ready_at).toBe(ms(doc.renderer.last_ready_at));
        expect(state.renderer.last_heartbeat_at).toBe(ms(doc.renderer.last_heartbeat_at));
        expect(state.renderer.recovery_attempts).toBe(doc.renderer.recovery_attempts);
        expect(state.renderer.last_recovery_at).toBe(ms(doc.renderer.last_recovery_at));
        for (const [key, value] of Object.entries(JSON.parse(JSON.stringify(topExtras)))) {
          expect(state[key]).toEqual(value);
        }
        for (const [key, value] of Object.entries(JSON.parse(JSON.stringify(nestedExtras)))) {
          expect(state.app_server[key]).toEqual(value);
        }
        expect(stateV4Schema.safeParse(state).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
