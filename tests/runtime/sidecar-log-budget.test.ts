import { describe, expect, it } from 'vitest';
import { droppedOutputLine, SidecarLogBudget } from '../../src/runtime/sidecar-log-budget.js';

describe('SidecarLogBudget', () => {
  it('admits a burst, drops past it, refills with time and reports the drop once before the next line', () => {
    const budget = new SidecarLogBudget({ bytesPerSecond: 1_000, burstBytes: 300 });
    expect(budget.admit(100, 0)).toEqual({ ok: true });
    expect(budget.admit(100, 0)).toEqual({ ok: true });
    expect(budget.admit(100, 0)).toEqual({ ok: true });
    expect(budget.admit(100, 0)).toEqual({ ok: false });
    expect(budget.admit(50, 50)).toEqual({ ok: true, dropped: { lines: 1, bytes: 100 } }); // 50 ms refilled 50 bytes
    expect(budget.admit(10, 50)).toEqual({ ok: false });
    expect(budget.admit(10, 10_000)).toEqual({ ok: true, dropped: { lines: 1, bytes: 10 } });
    // Never more than the burst, however long the pause.
    expect(budget.admit(300, 1_000_000)).toEqual({ ok: true });
    expect(budget.admit(1, 1_000_000)).toEqual({ ok: false });
    expect(budget.takeDropped()).toEqual({ lines: 1, bytes: 1 });
    expect(budget.takeDropped()).toBeUndefined();
  });

  it('lets a line larger than the burst through against a full bucket, and tolerates a clock stepping back', () => {
    const budget = new SidecarLogBudget({ bytesPerSecond: 100, burstBytes: 100 });
    expect(budget.admit(10_000, 1_000).ok).toBe(true);
    expect(budget.admit(1, 1_000).ok).toBe(false);
    expect(budget.admit(1, 0).ok).toBe(false); // stepping back refills nothing
    expect(budget.admit(100, 2_000).ok).toBe(true);
  });

  it('says what was dropped in one line', () => {
    expect(droppedOutputLine({ lines: 3, bytes: 300 })).toBe('[codex-diag: 3 sidecar output lines (300 bytes) not logged: over the log budget]');
  });
});
