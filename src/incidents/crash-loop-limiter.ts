import { systemClock, type Clock } from '../clock.js';

export interface CrashLoopLimiterOptions {
  /** One bundle per fingerprint per window (default 10 minutes). */
  windowMs?: number;
  clock?: Pick<Clock, 'now'>;
  /** Fingerprints remembered at most; expired ones go first, then the oldest (default 1000). */
  maxTracked?: number;
}

export interface AdmitDecision {
  /** Build a bundle for this occurrence. */
  bundle: boolean;
  /**
   * When `bundle`: occurrences suppressed since this fingerprint's previous bundle, carried into
   * this one (then reset). Otherwise: occurrences suppressed so far in this window, this one included.
   */
  suppressedSinceLast: number;
}

interface WindowState {
  bundledAt: number;
  suppressed: number;
}

export const DEFAULT_CRASH_LOOP_WINDOW_MS = 10 * 60 * 1000;

/**
 * Keeps a crash loop from producing a bundle per crash: the first occurrence of a fingerprint
 * opens a window and gets a bundle; the rest in that window are counted, and the count rides
 * on the next bundle. The window is fixed from the bundled occurrence (not sliding), so a
 * loop that never stops still yields one bundle per window.
 */
export class CrashLoopLimiter {
  readonly windowMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly maxTracked: number;
  private readonly windows = new Map<string, WindowState>();

  constructor(options: CrashLoopLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_CRASH_LOOP_WINDOW_MS;
    this.clock = options.clock ?? systemClock;
    this.maxTracked = options.maxTracked ?? 1000;
  }

  admit(fingerprint: string, now: number = this.clock.now()): AdmitDecision {
    const state = this.windows.get(fingerprint);
    // A clock that went backwards opens a new window rather than suppressing until it catches up.
    if (state && now >= state.bundledAt && now - state.bundledAt < this.windowMs) {
      state.suppressed += 1;
      return { bundle: false, suppressedSinceLast: state.suppressed };
    }
    const carried = state?.suppressed ?? 0;
    this.windows.delete(fingerprint); // re-insert so Map order stays oldest-first
    this.windows.set(fingerprint, { bundledAt: now, suppressed: 0 });
    this.prune(now);
    return { bundle: true, suppressedSinceLast: carried };
  }

  /**
   * Rebuilds windows and pending counts from journal records (oldest first), so a crash loop
   * that restarts the app is still limited. Suppressed occurrences whose bundle is no longer in
   * the journal still ride on the next bundle.
   */
  restore(records: Iterable<{ fingerprint: string; occurredAt: string | number; bundled: boolean }>): void {
    for (const record of records) {
      const at = typeof record.occurredAt === 'number' ? record.occurredAt : Date.parse(record.occurredAt);
      if (!Number.isFinite(at)) continue;
      const state = this.windows.get(record.fingerprint);
      if (record.bundled) {
        this.windows.delete(record.fingerprint);
        this.windows.set(record.fingerprint, { bundledAt: at, suppressed: 0 });
      } else if (state) {
        state.suppressed += 1;
      } else {
        this.windows.set(record.fingerprint, { bundledAt: Number.NEGATIVE_INFINITY, suppressed: 1 });
      }
    }
    this.prune(this.clock.now());
  }

  /** Occurrences of a fingerprint waiting to ride on its next bundle. */
  pending(fingerprint: string): number {
    return this.windows.get(fingerprint)?.suppressed ?? 0;
  }

  private prune(now: number): void {
    if (this.windows.size <= this.maxTracked) return;
    for (const [fingerprint, state] of this.windows) {
      if (this.windows.size <= this.maxTracked) return;
      if (now - state.bundledAt >= this.windowMs && state.suppressed === 0) this.windows.delete(fingerprint);
    }
    for (const fingerprint of this.windows.keys()) {
      if (this.windows.size <= this.maxTracked) return;
      this.windows.delete(fingerprint);
    }
  }
}
