/**
 * Nothing codex-diag sends is cut, rewritten or dropped by Sentry's ingest (Relay). Each limit
 * below is Relay's, with where it is defined (getsentry/relay):
 * - relay-event-schema/src/processor/attrs.rs `MaxChars`: "message" 8192 characters, "symbol" 256,
 *   "path" 256; `BagSize::Large`: 7 levels, 8192 bytes of estimated JSON.
 * - relay-event-schema/src/protocol/breadcrumb.rs: `message` max_chars 8192, `category` 128.
 * - relay-event-schema/src/protocol/exception.rs: `type` "symbol", `value` "message".
 * - relay-event-schema/src/protocol/stacktrace.rs (Frame): `function` "symbol", `abs_path` and
 *   `filename` "path".
 * - relay-event-schema/src/protocol/contexts/mod.rs: `ContextInner(bag_size = "large")`.
 * - sentry-release-parser (used by Relay's `validate_release`, which drops a session with an
 *   invalid release): `.`, `..` and `latest` are restricted names.
 */
import { promises as fsp } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breadcrumbsFrom } from '../../src/upload/breadcrumbs.js';
import { buildBundleUpload } from '../../src/upload/bundle-event.js';
import { ingestableContext, jsonBytes, MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH } from '../../src/upload/ingest-context.js';
import { releaseName } from '../../src/upload/ingest-limits.js';
import { incidentException } from '../../src/upload/js-stacktrace.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeTestBundle } from './helpers.js';
import { eventSchemaProblems } from './sentry-schemas.js';

const chars = (s: string | undefined) => Array.from(s ?? '').length;

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf));
}

describe('Relay field limits', () => {
  it('a 64 KiB log line is a breadcrumb message of at most 8192 characters; a category at most 128', () => {
    const row = JSON.stringify({ time: '2026-11-20T09:00:00Z', level: 'error', msg: 'x'.repeat(65_536), source: 's'.repeat(300) });
    const [crumb] = breadcrumbsFrom(row, 100);
    expect(chars(crumb!.message)).toBe(8192);
    expect(crumb!.message!.endsWith('…')).toBe(true);
    expect(chars(crumb!.category)).toBe(128);
  });

  it('frames: function, abs_path and filename at most 256 characters; the exception value at most 8192', () => {
    const longName = `render${'A'.repeat(400)}`;
    const dataUrl = `data:text/javascript;base64,${'Q'.repeat(2000)}`;
    const stack = `Error\n    at ${longName} (app://codex/${'dir/'.repeat(100)}index.js:10:5)\n    at Object.go (${dataUrl}:1:2)`;
    const exception = incidentException({ kind: 'unresponsive', stack }, 'T'.repeat(9000))!;
    for (const frame of exception.stacktrace!.frames) {
      expect(chars(frame.function)).toBeLessThanOrEqual(256);
      expect(chars(frame.abs_path)).toBeLessThanOrEqual(256);
      expect(chars(frame.filename)).toBeLessThanOrEqual(256);
    }
    expect(chars(exception.value)).toBe(8192);
  });

  it('a release Relay refuses is never made', () => {
    expect(releaseName('', 'latest')).toBeUndefined();
    expect(releaseName('', 'LATEST')).toBeUndefined();
    expect(releaseName('Codex', 'latest')).toBe('Codex@latest');
  });
});

describe('contexts within Relay\'s bag (8 KiB, 7 levels)', () => {
  it('a small context is sent as it is', () => {
    const context = { id: 'b-1', sha256: 'a'.repeat(64), bytes: 12, lines: 3, nested: { a: [1, 2, { b: null }] } };
    expect(ingestableContext(context)).toEqual(context);
  });

  it('long strings are shortened first, longest first; short values stay', () => {
    const context = { kind: 'unresponsive', url: 'app://codex/chat/1', stack: 's'.repeat(30_000), stacks: [{ stack: 't'.repeat(20_000), count: 3 }] };
    const fitted = ingestableContext(context) as typeof context;
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(MAX_CONTEXT_BYTES);
    expect(fitted.kind).toBe('unresponsive');
    expect(fitted.url).toBe('app://codex/chat/1');
    expect(fitted.stacks[0]!.count).toBe(3);
    expect(fitted.stack.endsWith('…')).toBe(true);
    expect(fitted).not.toHaveProperty('trimmed_keys');
  });

  it('when shortening is not enough, the largest keys go and are named', () => {
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) context[`k${i}`] = `value ${'v'.repeat(100)}`;
    const fitted = ingestableContext(context);
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(MAX_CONTEXT_BYTES);
    const trimmed = fitted['trimmed_keys'] as string[];
    expect(trimmed.length).toBeGreaterThan(0);
    for (const key of trimmed) expect(fitted).not.toHaveProperty(key);
    expect(Object.keys(fitted).length - 1 + trimmed.length).toBe(200);
  });

  it('values nested deeper than 7 levels become their JSON text', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 12; i++) deep = { [`l${i}`]: deep };
    const fitted = ingestableContext(deep);
    expect(depthOf(fitted)).toBeLessThanOrEqual(MAX_CONTEXT_DEPTH);
    expect(JSON.stringify(fitted)).toContain('\\"leaf\\":1');
  });
});

describe('a whole event from a bundle', () => {
  it('the event oracle refuses what Relay would cut', () => {
    expect(eventSchemaProblems({ breadcrumbs: [{ message: 'x'.repeat(8193) }] })).not.toEqual([]);
    expect(eventSchemaProblems({ breadcrumbs: [{ category: 'c'.repeat(129) }] })).not.toEqual([]);
    expect(eventSchemaProblems({ exception: { values: [{ type: 'T'.repeat(257), mechanism: { type: 'x' } }] } })).not.toEqual([]);
    expect(eventSchemaProblems({ contexts: { incident: { stack: 's'.repeat(9000) } } })).not.toEqual([]);
  });

  it('with a 40 KB hang stack and a 64 KiB log line: every context, breadcrumb and frame within Relay\'s limits', async () => {
    const dir = await tempDir();
    const frames = Array.from({ length: 400 }, (_, i) => `    at fn${i}${'x'.repeat(60)} (app://codex/assets/${'chunk-'.repeat(10)}${i}.js:${i + 1}:7)`).join('\n');
    const bundle = await makeTestBundle(dir, {
      incident: { kind: 'unresponsive', url: 'app://codex/chat/1', stack: `Error\n${frames}` },
      rawLines: [
        { source: 'app.log', text: `2026-11-20T09:00:00.000Z error ${'y'.repeat(65_000)}` },
        { source: 'app.log', text: '2026-11-20T09:00:01.000Z info short line' },
      ],
    });
    const { event } = await buildBundleUpload(bundle, { eventId: 'a'.repeat(32), now: Date.UTC(2026, 10, 20, 10, 0, 0) });
    expect(JSON.stringify(event.contexts?.incident)).toContain('"kind":"unresponsive"');
    expect(eventSchemaProblems(event as unknown as Record<string, unknown>)).toEqual([]);
    for (const [name, context] of Object.entries(event.contexts ?? {})) {
      expect(jsonBytes(context), name).toBeLessThanOrEqual(MAX_CONTEXT_BYTES);
      expect(depthOf(context), name).toBeLessThanOrEqual(MAX_CONTEXT_DEPTH);
    }
    for (const crumb of event.breadcrumbs ?? []) expect(chars(crumb.message)).toBeLessThanOrEqual(8192);
    for (const frame of event.exception?.values?.[0]?.stacktrace?.frames ?? []) {
      expect(chars(frame.function)).toBeLessThanOrEqual(256);
      expect(chars(frame.abs_path)).toBeLessThanOrEqual(256);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  });
});
