import { describe, expect, it } from 'vitest';
import { formatCommandLine } from '../../src/runtime/sidecar-command.js';
import { RestartPolicy, resolveRestartOptions } from '../../src/runtime/sidecar-restart-policy.js';
import { classifyExit } from '../../src/runtime/sidecar-supervisor.js';

describe('RestartPolicy', () => {
  it('doubles the delay per attempt up to the cap, jitter taking at most half off', () => {
    const low = new RestartPolicy({ baseDelayMs: 100, maxDelayMs: 700 }, () => 0);
    expect([1, 2, 3, 4, 5].map((a) => low.delayFor(a))).toEqual([100, 200, 400, 700, 700]);
    const high = new RestartPolicy({ baseDelayMs: 100, maxDelayMs: 700 }, () => 1);
    expect([1, 2, 3, 4].map((a) => high.delayFor(a))).toEqual([50, 100, 200, 350]);
    expect(new RestartPolicy({ baseDelayMs: 100 }, () => 0).delayFor(10_000)).toBe(30_000);
  });

  it('caps delays at the largest timer delay (Node would fire a longer one after 1 ms)', () => {
    const huge = new RestartPolicy({ baseDelayMs: 1e12, maxDelayMs: Infinity }, () => 0);
    expect(huge.delayFor(1)).toBe(2_147_483_647);
    expect(new RestartPolicy({ baseDelayMs: 1_000, maxDelayMs: 1e15 }, () => 0).delayFor(40)).toBe(2_147_483_647);
  });

  it('counts restarts in a sliding window, pauses at the bound, and forgets after a stable run', () => {
    const policy = new RestartPolicy({ maxRestarts: 2, windowMs: 1000, stableAfterMs: 500, baseDelayMs: 10 }, () => 0);
    expect(policy.onUnexpectedExit(0, 10)).toEqual({ action: 'restart', attempt: 1, delayMs: 10 });
    expect(policy.onUnexpectedExit(100, 10)).toEqual({ action: 'restart', attempt: 2, delayMs: 20 });
    expect(policy.onUnexpectedExit(200, 10)).toEqual({ action: 'pause', restartsInWindow: 2 });
    expect(policy.onUnexpectedExit(1001, 10)).toMatchObject({ action: 'restart', attempt: 2 });
    expect(policy.onUnexpectedExit(1050, 500)).toMatchObject({ action: 'restart', attempt: 1 });
  });

  it('replaces nonsense options by defaults', () => {
    expect(resolveRestartOptions({ maxRestarts: -1, baseDelayMs: Number.NaN, maxDelayMs: 1 })).toMatchObject({ maxRestarts: 5, baseDelayMs: 500, maxDelayMs: 500 });
  });
});

describe('sidecar exit wording', () => {
  it('writes the command as a person would type it', () => {
    expect(formatCommandLine('codex', ['app-server'])).toBe('codex app-server');
    expect(formatCommandLine('/opt/Codex App/codex', ['--flag=a b', '', "it's"])).toBe(`'/opt/Codex App/codex' '--flag=a b' '' 'it'\\''s'`);
  });

  it('classifies exits in Electron vocabulary', () => {
    expect(classifyExit(0, null)).toBe('clean-exit');
    expect(classifyExit(101, null)).toBe('abnormal-exit');
    expect(classifyExit(null, 'SIGSEGV')).toBe('crashed');
    expect(classifyExit(null, 'SIGKILL')).toBe('killed');
    expect(classifyExit(-1073741819, null)).toBe('crashed');
    expect(classifyExit(3221225477, null)).toBe('crashed');
  });
});
