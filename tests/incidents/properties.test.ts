import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { readIncidents } from '../../src/incidents/read-incidents.js';

const FP = /^fp1-[0-9a-f]{16}$/;

function fingerprintOf(value: unknown, homedir?: string): string {
  const parsed = parseIncident(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return fingerprintIncident(parsed.incident, homedir === undefined ? {} : { homedir }).fingerprint;
}

const hexChar = fc.constantFrom(...'0123456789abcdef');
const digit = fc.constantFrom(...'0123456789');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
/** An id as apps put it in a route: a number, a UUID, a hash. */
const idSegment = fc.oneof(
  fc.nat().map(String),
  fc.uuid(),
  fc.tuple(digit, fc.array(hexChar, { minLength: 7, maxLength: 39 })).map(([d, rest]) => d + rest.join('')),
);
/** A build hash as bundlers put it in a file name (always with a digit, as Vite/esbuild hashes mostly are). */
const assetHash = fc.tuple(digit, fc.array(alnum, { minLength: 3, maxLength: 11 })).map(([d, rest]) => rest.join('') + d);
const query = fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 12 }), { maxKeys: 4 }).map((d) => {
  const s = new URLSearchParams(d).toString();
  return s === '' ? '' : `?${s}`;
});
const fragment = fc.option(fc.string({ maxLength: 16 }).map((s) => `#${encodeURIComponent(s)}`), { nil: '' });
const port = fc.option(fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`), { nil: '' });
const userName = fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/);
/** Context Electron and the app attach: all of it volatile. */
const context = fc.record(
  {
    pid: fc.nat(),
    webContentsId: fc.integer(),
    windowId: fc.integer(),
    occurredAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.nat()),
    appVersion: fc.stringMatching(/^\d{1,3}\.\d{1,3}\.\d{1,3}(-beta\.\d)?$/),
    somethingElse: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
/** One Windows status in each notation Electron, Node or a person may write it. */
const accessViolation = fc.constantFrom<number | string>(-1073741819, 3221225477, '0xC0000005', '0xc0000005', '3221225477');

describe('volatile detail never changes a fingerprint', () => {
  it('renderer crash: ids, query, fragment, port, context, exit code notation', () => {
    const base = fingerprintOf({ kind: 'render-process-gone', reason: 'crashed', exitCode: '0xC0000005', url: 'https://chatgpt.com/c/1' });
    fc.assert(
      fc.property(idSegment, query, fragment, port, context, accessViolation, (id, q, f, p, ctx, exitCode) => {
        const incident = { ...ctx, kind: 'render-process-gone', reason: 'crashed', exitCode, url: `https://chatgpt.com${p}/c/${id}${q}${f}` };
        expect(fingerprintOf(incident)).toBe(base);
      }),
      { numRuns: 300 },
    );
  });

  it('renderer crash: signal as number or 128+N', () => {
    const base = fingerprintOf({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/settings' });
    fc.assert(
      fc.property(fc.constantFrom(11, 139, '11', '139'), context, query, (exitCode, ctx, q) => {
        expect(fingerprintOf({ ...ctx, kind: 'render-process-gone', reason: 'crashed', exitCode, url: `app://codex/settings${q}` })).toBe(base);
      }),
    );
  });

  it('unresponsive: durations, asset hashes, line:column, internal frames, home dir', () => {
    const base = fingerprintOf({
      kind: 'unresponsive',
      url: 'app://codex/settings',
      stack: '    at renderList (file:///Users/x/codex/assets/index-1a2b.js:1:1)',
    });
    const internal = fc.constantFrom('    at processTimers (node:internal/timers:512:7)', '    at Object.emit (electron/js2c/renderer_init:2:1)', '    at f (/a/node_modules/react/x.js:1:1)', '    at Array.map (<anonymous>)');
    fc.assert(
      fc.property(
        fc.nat(),
        assetHash,
        fc.nat(),
        fc.nat(),
        fc.array(internal, { maxLength: 4 }),
        userName,
        fc.constantFrom('/Users/', '/home/', '/C:/Users/'),
        context,
        query,
        (durationMs, hash, line, col, above, user, homeRoot, ctx, q) => {
          const frame = `    at renderList (file://${homeRoot}${user}/codex/assets/index-${hash}.js:${line}:${col})`;
          const stack = [...above, frame, '    at later (app://codex/assets/other.js:1:1)'].join('\n');
          expect(fingerprintOf({ ...ctx, kind: 'unresponsive', url: `app://codex/settings${q}`, durationMs, stack })).toBe(base);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('did-fail-load: frame ids, query, fragment, ids in the path', () => {
    const base = fingerprintOf({ kind: 'did-fail-load', errorCode: -105, validatedURL: 'https://chatgpt.com/backend-api/conversation/1', isMainFrame: true });
    fc.assert(
      fc.property(idSegment, query, fragment, fc.integer(), fc.integer(), context, (id, q, f, frameProcessId, frameRoutingId, ctx) => {
        const incident = {
          ...ctx,
          kind: 'did-fail-load',
          errorCode: -105,
          errorDescription: 'ERR_NAME_NOT_RESOLVED',
          validatedURL: `https://chatgpt.com/backend-api/conversation/${id}${q}${f}`,
          isMainFrame: true,
          frameProcessId,
          frameRoutingId,
        };
        expect(fingerprintOf(incident)).toBe(base);
      }),
      { numRuns: 300 },
    );
  });

  it('child process and sidecar: notation, pids, install paths, arguments', () => {
    const gpu = fingerprintOf({ kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819 });
    const sidecar = fingerprintOf({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null });
    fc.assert(
      fc.property(accessViolation, context, userName, fc.integer({ min: 1, max: 65535 }), (exitCode, ctx, user, p) => {
        expect(fingerprintOf({ ...ctx, kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode, serviceName: '', name: '' })).toBe(gpu);
        const command = `/Users/${user}/.codex/bin/codex app-server --port ${p}`;
        expect(fingerprintOf({ ...ctx, kind: 'sidecar-exit', command, exitCode: 101, signal: null })).toBe(sidecar);
      }),
    );
  });

  it('a nonstandard home directory named by the capturing machine', () => {
    const base = fingerprintOf({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'file:///srv/someone/codex/index.html' }, '/srv/someone');
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z]{1,6}\/[a-z][a-z0-9]{0,8}$/), (home) => {
        expect(fingerprintOf({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: `file://${home}/codex/index.html` }, home)).toBe(base);
      }),
    );
  });
});

describe('hostile input never crashes the parser or the fingerprint', () => {
  it('random bytes read as incident text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const items = readIncidents(Buffer.from(bytes).toString('utf8'));
        for (const item of items) {
          if (item.ok) expect(fingerprintIncident(item.incident).fingerprint).toMatch(FP);
          else expect(item.error).not.toContain('\n');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random JSON values and random values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => {
        const parsed = parseIncident(value);
        if (parsed.ok) expect(fingerprintIncident(parsed.incident).fingerprint).toMatch(FP);
        else expect(parsed.error).not.toContain('\n');
      }),
      { numRuns: 500 },
    );
  });

  it('incidents of a known kind with random field values', () => {
    const kind = fc.constantFrom('render-process-gone', 'unresponsive', 'did-fail-load', 'child-process-gone', 'sidecar-exit');
    const anyField = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue());
    const fields = fc.record(
      {
        reason: fc.oneof(fc.string(), anyField),
        exitCode: anyField,
        url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()),
        validatedURL: fc.oneof(fc.webUrl(), fc.string()),
        isMainFrame: fc.oneof(fc.boolean(), anyField),
        errorCode: fc.oneof(fc.integer(), anyField),
        stack: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 5 }).map((l) => l.map((s) => `    at ${s} (${s}:1:2)`).join('\n'))),
        stacks: fc.array(fc.record({ stack: fc.string(), count: fc.nat() })),
        type: fc.string(),
        command: fc.string(),
        signal: fc.oneof(fc.string(), fc.constant(null)),
        serviceName: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(kind, fields, (k, f) => {
        const parsed = parseIncident({ ...f, kind: k });
        if (!parsed.ok) return;
        const first = fingerprintIncident(parsed.incident);
        expect(first.fingerprint).toMatch(FP);
        for (const c of first.components) expect(c).not.toMatch(/[\n\r]/);
        expect(fingerprintIncident(parsed.incident)).toEqual(first);
      }),
      { numRuns: 250 },
    );
  });
});
