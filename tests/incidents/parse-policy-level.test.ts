import { describe, expect, it } from 'vitest';
import { incidentExitCode } from '../../src/incidents/incident-exit-code.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { defaultCapturePolicy, shouldCapture } from '../../src/incidents/policy.js';
import type { Incident } from '../../src/incidents/schema.js';
import { sentryLevelFor } from '../../src/incidents/sentry-level.js';

function incident(value: unknown): Incident {
  const parsed = parseIncident(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.incident;
}

describe('parseIncident', () => {
  it('accepts every contract example and keeps unknown fields as context', () => {
    const parsed = parseIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/x', pid: 4, crashpadId: 'abc' });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.incident).toMatchObject({ pid: 4, crashpadId: 'abc' });
  });

  it('accepts reasons and process types a future Electron may add', () => {
    expect(parseIncident({ kind: 'render-process-gone', reason: 'quantum-decoherence', exitCode: 0 }).ok).toBe(true);
    expect(parseIncident({ kind: 'child-process-gone', type: 'Holodeck', reason: 'crashed', exitCode: 1 }).ok).toBe(true);
  });

  it('says in one line which field is wrong and what was expected', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /^expected an incident object, got null$/],
      [[1], /^expected an incident object, got an array$/],
      ['x', /^expected an incident object, got string "x"$/],
      [{}, /^kind: expected one of render-process-gone, .*; missing$/],
      [{ kind: 'crash' }, /^kind: expected one of .*; got string "crash"$/],
      [{ kind: 'render-process-gone' }, /^reason: missing \(expected string\)$/],
      [{ kind: 'render-process-gone', reason: '' }, /^reason: expected a non-empty reason string$/],
      [{ kind: 'render-process-gone', reason: 'crashed', exitCode: 1.5 }, /^exitCode: /],
      [{ kind: 'render-process-gone', reason: 'crashed', exitCode: 'eleven' }, /^exitCode: /],
      [{ kind: 'did-fail-load', errorCode: -105, validatedURL: 'https://x', isMainFrame: 'yes' }, /^isMainFrame: expected boolean, received string$/],
      [{ kind: 'unresponsive', stacks: [{ stack: 'x', count: -1 }] }, /^stacks\[0\]\.count: /],
      [{ kind: 'sidecar-exit', command: 'codex', pid: 'one' }, /^pid: expected number, received string$/],
    ];
    for (const [value, expected] of cases) {
      const parsed = parseIncident(value);
      expect(parsed.ok, JSON.stringify(value)).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error, JSON.stringify(value)).toMatch(expected);
        expect(parsed.error).not.toContain('\n');
      }
    }
  });

  it('never throws for hostile objects', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });
    const result = parseIncident(hostile);
    expect(result.ok).toBe(false);
  });
});

describe('shouldCapture (default policy)', () => {
  it('never captures a clean exit', () => {
    expect(shouldCapture(incident({ kind: 'render-process-gone', reason: 'clean-exit', exitCode: 0 }))).toBe(false);
    expect(shouldCapture(incident({ kind: 'child-process-gone', type: 'GPU', reason: 'clean-exit', exitCode: 0 }))).toBe(false);
    expect(shouldCapture(incident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 0, signal: null }))).toBe(false);
    expect(shouldCapture(incident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11 }))).toBe(true);
    expect(shouldCapture(incident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 0, signal: 'SIGKILL' }))).toBe(true);
    expect(shouldCapture(incident({ kind: 'unresponsive' }))).toBe(true);
  });

  it('captures did-fail-load only for the main frame and not for ERR_ABORTED', () => {
    const load = (errorCode: number, isMainFrame: boolean) => incident({ kind: 'did-fail-load', errorCode, validatedURL: 'https://x/', isMainFrame });
    expect(shouldCapture(load(-105, true))).toBe(true);
    expect(shouldCapture(load(-105, false))).toBe(false);
    expect(shouldCapture(load(-3, true))).toBe(false);
  });

  it('is configurable', () => {
    const sub = incident({ kind: 'did-fail-load', errorCode: -105, validatedURL: 'https://x/', isMainFrame: false });
    expect(shouldCapture(sub, { didFailLoadMainFrameOnly: false })).toBe(true);
    expect(shouldCapture(incident({ kind: 'unresponsive' }), { ignoreKinds: ['unresponsive'] })).toBe(false);
    expect(shouldCapture(incident({ kind: 'render-process-gone', reason: 'killed' }), { ignoreReasons: ['clean-exit', 'killed'] })).toBe(false);
    expect(shouldCapture(incident({ kind: 'sidecar-exit', command: 'c', exitCode: 0 }), { captureCleanSidecarExit: true })).toBe(true);
    expect(defaultCapturePolicy.ignoreLoadErrorCodes).toEqual([-3]);
  });
});

describe('sentryLevelFor', () => {
  it('follows the contract for renderer and child process reasons', () => {
    const gone = (reason: string) => sentryLevelFor(incident({ kind: 'render-process-gone', reason, exitCode: 1 }));
    for (const r of ['crashed', 'oom', 'launch-failed', 'integrity-failure']) expect(gone(r), r).toBe('fatal');
    for (const r of ['abnormal-exit', 'killed']) expect(gone(r), r).toBe('warning');
    expect(gone('something-new')).toBe('error');
    expect(sentryLevelFor(incident({ kind: 'child-process-gone', type: 'GPU', reason: 'crashed' }))).toBe('fatal');
    expect(sentryLevelFor(incident({ kind: 'unresponsive' }))).toBe('warning');
    expect(sentryLevelFor(incident({ kind: 'did-fail-load', errorCode: -105, validatedURL: 'x', isMainFrame: true }))).toBe('error');
  });

  it('grades sidecar exits: crash fatal, stopped warning, other codes error', () => {
    const exit = (exitCode: number | null, signal: string | null) => sentryLevelFor(incident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode, signal }));
    expect(exit(null, 'SIGSEGV')).toBe('fatal');
    expect(exit(134, null)).toBe('fatal');
    expect(exit(-1073741819, null)).toBe('fatal');
    expect(exit(null, 'SIGKILL')).toBe('warning');
    expect(exit(143, null)).toBe('warning');
    expect(exit(0, null)).toBe('warning');
    expect(exit(101, null)).toBe('error');
    expect(exit(null, null)).toBe('error');
  });
});

describe('incidentExitCode (for tags)', () => {
  it('reports the code in one notation whatever the reason', () => {
    expect(incidentExitCode(incident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 139 }))?.canonical).toBe('SIGSEGV');
    expect(incidentExitCode(incident({ kind: 'render-process-gone', reason: 'oom', exitCode: 3221225477 }))?.canonical).toBe('0xC0000005');
    expect(incidentExitCode(incident({ kind: 'child-process-gone', type: 'GPU', reason: 'launch-failed', exitCode: 139 }))?.canonical).toBe('139');
    expect(incidentExitCode(incident({ kind: 'sidecar-exit', command: 'c', exitCode: null, signal: 'SIGTERM' }))?.label).toBe('SIGTERM');
    expect(incidentExitCode(incident({ kind: 'unresponsive' }))).toBeUndefined();
  });
});
