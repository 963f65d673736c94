import { describe, expect, it } from 'vitest';
import type { Event } from '@sentry/core';
import { describeIncident, MANUAL_EXPORT_TITLE } from '../../src/upload/index.js';
import { fingerprintIncident, parseIncident, sentryLevelFor } from '../../src/incidents/index.js';
import { fitEvent } from '../../src/upload/size-limits.js';

function bigEvent(crumbs: number, crumbBytes: number): Event {
  return {
    event_id: 'a'.repeat(32),
    message: 'Renderer crashed (oom) at /chat/:id',
    breadcrumbs: Array.from({ length: crumbs }, (_, i) => ({ message: `crumb ${i} ${'x'.repeat(crumbBytes)}` })),
    contexts: { incident: { stack: 's'.repeat(50_000) } },
    sdk: { name: 'codex-diag', version: '0.1.0' },
  };
}

describe('Sentry size limits', () => {
  it('an event over 1 MB keeps its newest breadcrumbs and fits', () => {
    const event = bigEvent(100, 20_000);
    expect(JSON.stringify(event).length).toBeGreaterThan(1_000_000);
    const fitted = fitEvent(event, 1_000_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(1_000_000);
    expect(fitted.breadcrumbs!.length).toBeGreaterThan(0);
    expect(fitted.breadcrumbs!.at(-1)!.message).toMatch(/^crumb 99 /);
    expect(fitted.message).toBe(event.message);
  });

  it('when breadcrumbs are not enough, long context strings are cut', () => {
    const fitted = fitEvent(bigEvent(0, 0), 10_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(10_000);
    expect(String((fitted.contexts!.incident as Record<string, unknown>).stack)).toMatch(/…\[truncated\]$/);
  });
});

describe('level and title', () => {
  const valid = [
    { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/settings' },
    { kind: 'render-process-gone', reason: 'killed', exitCode: 9, url: 'app://codex/chat/8f3a2b1c9d' },
    { kind: 'unresponsive', url: 'app://codex/settings' },
    { kind: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', validatedURL: 'https://chatgpt.com/x', isMainFrame: true },
    { kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, serviceName: '', name: '' },
    { kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null },
    { kind: 'sidecar-exit', command: 'codex app-server', exitCode: null, signal: 'SIGSEGV' },
  ];

  it('a valid incident reads exactly as src/incidents says (level and fingerprint title)', async () => {
    for (const incident of valid) {
      const parsed = parseIncident(incident);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(await describeIncident(incident)).toEqual({ level: sentryLevelFor(parsed.incident), title: fingerprintIncident(parsed.incident).title });
    }
    expect(await describeIncident(valid[0]!)).toEqual({ level: 'fatal', title: expect.stringMatching(/^Renderer crashed.* at \/settings$/) });
    expect((await describeIncident(valid[6]!)).level).toBe('fatal');
    expect(await describeIncident(null)).toEqual({ level: 'info', title: MANUAL_EXPORT_TITLE });
  });

  it('the manifest title wins for a valid incident, a manual export and a refused one', async () => {
    expect(await describeIncident(valid[2]!, { title: 'From the manifest' })).toEqual({ level: 'warning', title: 'From the manifest' });
    expect(await describeIncident(null, { title: 'From the manifest' })).toEqual({ level: 'info', title: 'From the manifest' });
    expect(await describeIncident({ kind: 'render-process-gone', reason: 'oom', url: 42 }, { title: 'Renderer crashed (oom)' })).toEqual({
      level: 'error',
      title: 'Renderer crashed (oom)',
    });
  });

  it('an incident its schema refuses, without a manifest title: "<kind> incident" at level error', async () => {
    expect(await describeIncident({ kind: 'render-process-gone', reason: 'oom', url: 42 })).toEqual({ level: 'error', title: 'render-process-gone incident' });
    expect(await describeIncident({ kind: 'gpu-hang' })).toEqual({ level: 'error', title: 'gpu-hang incident' });
    expect(await describeIncident({ reason: 'crashed' }, { kind: 'render-process-gone' })).toEqual({ level: 'error', title: 'render-process-gone incident' });
    expect(await describeIncident({})).toEqual({ level: 'error', title: 'unknown incident' });
  });
});
