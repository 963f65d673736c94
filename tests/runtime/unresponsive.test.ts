import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { defaultUnresponsiveOptions, UnresponsiveMonitor } from '../../src/runtime/unresponsive-monitor.js';
import type { CollectStack, UnresponsiveReport } from '../../src/runtime/unresponsive-monitor.js';
import { rankStacks } from '../../src/runtime/unresponsive-stacks.js';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

function monitor(collectStack?: CollectStack) {
  const reports: UnresponsiveReport[] = [];
  const m = new UnresponsiveMonitor({ clock: systemClock, options: defaultUnresponsiveOptions, collectStack, onHang: (r) => reports.push(r) });
  return { m, reports };
}

describe('UnresponsiveMonitor', () => {
  it('ignores a hang shorter than the grace period', async () => {
    const { m, reports } = monitor();
    m.unresponsive();
    await vi.advanceTimersByTimeAsync(2_999);
    m.responsive();
    expect(reports).toEqual([]);
  });

  it('reports a hang that outlasts the grace period with its duration when the renderer answers again', async () => {
    const { m, reports } = monitor();
    m.unresponsive();
    m.unresponsive(); // Electron repeats the event while a hang lasts
    await vi.advanceTimersByTimeAsync(4_200);
    m.responsive();
    expect(reports).toEqual([{ startedAt: 0, durationMs: 4_200, ongoing: false, samples: 0 }]);
  });

  it('samples the stack about every second up to 15 s and attaches the most frequent ones', async () => {
    let call = 0;
    const collect = vi.fn(async () => {
      call++;
      return call % 3 === 0 ? 'at idle (app://codex/a.js:1:1)' : 'at renderList (app://codex/assets/index-3f2a.js:1:4410)';
    });
    const { m, reports } = monitor(collect);
    m.unresponsive();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report.ongoing).toBe(true);
    expect(report.durationMs).toBe(15_000);
    expect(collect.mock.calls.length).toBeGreaterThanOrEqual(14);
    expect(collect.mock.calls.length).toBeLessThanOrEqual(16);
    expect(report.stack).toBe('at renderList (app://codex/assets/index-3f2a.js:1:4410)');
    expect(report.stacks?.map((s) => s.stack)).toEqual([report.stack, 'at idle (app://codex/a.js:1:1)']);
    expect(report.stacks![0]!.count).toBeGreaterThan(report.stacks![1]!.count);
    // no second report when the renderer answers later
    m.responsive();
    expect(reports).toHaveLength(1);
  });

  it('never has two samples in flight when the renderer does not answer', async () => {
    const collect = vi.fn(() => new Promise<string>(() => undefined)); // never resolves, as when no JS runs
    const { m, reports } = monitor(collect);
    m.unresponsive();
    await vi.advanceTimersByTimeAsync(5_500);
    m.responsive();
    // a sample times out after 1 s, so at most one call per interval, never piled up
    expect(collect.mock.calls.length).toBeLessThanOrEqual(6);
    expect(reports[0]).toMatchObject({ samples: 0, durationMs: 5_500 });
    expect(reports[0]!.stack).toBeUndefined();
  });

  it('counts a sampler that throws or rejects as a fault and still reports the hang', async () => {
    const faults: unknown[] = [];
    const reports: UnresponsiveReport[] = [];
    const m = new UnresponsiveMonitor({
      clock: systemClock,
      options: defaultUnresponsiveOptions,
      collectStack: () => Promise.reject(new Error('frame disposed')),
      onHang: (r) => reports.push(r),
      onFault: (e) => faults.push(e),
    });
    m.unresponsive();
    await vi.advanceTimersByTimeAsync(3_500);
    m.responsive();
    expect(faults.length).toBeGreaterThan(0);
    expect(reports).toHaveLength(1);
  });

  it('leaves no timer after dispose', async () => {
    const { m } = monitor(async () => 'x');
    m.unresponsive();
    await vi.advanceTimersByTimeAsync(1_500);
    m.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('rankStacks', () => {
  it('orders by count, ties first-seen first, ignoring blanks', () => {
    expect(rankStacks(['b', 'a', 'a', ' ', 'c', 'b', 'a', 'd'], 3)).toEqual([
      { stack: 'a', count: 3 },
      { stack: 'b', count: 2 },
      { stack: 'c', count: 1 },
    ]);
  });
});
