import { describe, expect, it } from 'vitest';
import type { Event } from '@sentry/core';
import { describeIncident, levelForIncident, titleForIncident } from '../../src/upload/index.js';
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
  it('uses src/incidents for a valid incident', async () => {
    expect(await describeIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/settings' })).toEqual({
      level: 'fatal',
      title: expect.stringMatching(/^Renderer crashed.* at \/settings$/),
    });
    expect((await describeIncident({ kind: 'unresponsive', url: 'app://codex/settings' })).level).toBe('warning');
    expect(
      (await describeIncident({ kind: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', validatedURL: 'https://chatgpt.com/x', isMainFrame: true })).level,
    ).toBe('error');
    expect(await describeIncident(null)).toEqual({ level: 'info', title: 'Diagnostics bundle exported by hand' });
  });

  it('the manifest title wins; an incident its schema refuses still gets a readable title and level', async () => {
    expect((await describeIncident({ kind: 'unresponsive' }, 'From the manifest')).title).toBe('From the manifest');
    const odd = { kind: 'render-process-gone', reason: 'oom', url: 42 };
    const described = await describeIncident(odd);
    expect(described.level).toBe('fatal');
    expect(described.title).toBe('Renderer crashed (oom)');
  });

  it('fallback table follows DESIGN.md levels by reason', () => {
    const level = (reason: string) => levelForIncident({ kind: 'render-process-gone', reason });
    expect(['crashed', 'oom', 'launch-failed', 'integrity-failure'].map(level)).toEqual(['fatal', 'fatal', 'fatal', 'fatal']);
    expect(['abnormal-exit', 'killed'].map(level)).toEqual(['warning', 'warning']);
    expect(levelForIncident({ kind: 'unresponsive' })).toBe('warning');
    expect(levelForIncident({ kind: 'did-fail-load' })).toBe('error');
    expect(titleForIncident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101 })).toBe('codex app-server exited with code 101');
  });
});
