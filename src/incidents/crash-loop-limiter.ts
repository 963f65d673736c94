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
