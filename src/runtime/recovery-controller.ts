import type { Clock } from '../clock.js';
import { reportSafely } from '../safe-call.js';
import { recoveryDelayMs } from './recovery-policy.js';
import type { RecoveryPolicy } from './recovery-policy.js';

/** What the controller needs from the window it recovers (Electron: BrowserWindow + webContents). */
export interface RecoveryTarget {
  isDestroyed(): boolean;
  isQuitting(): boolean;
  reload(): void;
}

export interface RecoveryAttempt {
  /** 1-based attempt number within the current window. */
  attempt: number;
  at: number;
  delayMs: number;
  reason: string;
}

export type RecoveryDecision =
  | { action: 'reload-scheduled'; attempt: number; delayMs: number }
  | { action: 'skipped'; why: 'skip-reason' | 'quitting' | 'destroyed' | 'already-scheduled' | 'disposed' }
  | { action: 'gave-up'; attempts: number; windowMs: number };

export interface RecoveryControllerOptions {
  clock: Clock;
  policy: RecoveryPolicy;
  target: RecoveryTarget;
  random?: () => number;
  /** Called for every reload actually performed (the state store's recordRecoveryAttempt). */
  onAttempt?: (attempt: RecoveryAttempt) => void;
  /** A load stayed up for `stableMs`: earlier attempts are forgotten. */
  onStable?: () => void;
  /** Called once when the bound is first reached within a window. */
  onGaveUp?: (info: { attempts: number; windowMs: number; reason: string }) => void;
  onFault?: (error: unknown) => void;
}

/**
 * `maybeRecoverFromRendererCrash` from the official app, made explicit: reload after a delay
 * with capped exponential backoff, at most `maxReloads` within `windowMs`, the count reset once a
 * load stays up for `stableMs`; never while quitting, for a destroyed window, or for a skip reason.
 */
export class RecoveryController {
  private attempts: number[] = [];
  private reloadTimer: unknown;
  private stableTimer: unknown;
  private gaveUpReported = false;
  private disposed = false;
  private readonly random: () => number;

  constructor(private readonly options: RecoveryControllerOptions) {
    this.random = options.random ?? Math.random;
  }

  maybeRecoverFromRendererCrash(reason: string): RecoveryDecision {
    if (this.disposed) return { action: 'skipped', why: 'disposed' };
    this.cancelStable();
    const { policy, target, clock } = this.options;
    if (policy.skipReasons.includes(reason)) return { action: 'skipped', why: 'skip-reason' };
    if (this.safely(() => target.isQuitting(), true)) return { action: 'skipped', why: 'quitting' };
    if (this.safely(() => target.isDestroyed(), true)) return { action: 'skipped', why: 'destroyed' };
    if (this.reloadTimer !== undefined) return { action: 'skipped', why: 'already-scheduled' };
    const now = clock.now();
    this.attempts = this.attempts.filter((at) => now - at < policy.windowMs);
    if (this.attempts.length >= policy.maxReloads) {
      if (!this.gaveUpReported) {
        this.gaveUpReported = true;
        this.safely(() => this.options.onGaveUp?.({ attempts: this.attempts.length, windowMs: policy.windowMs, reason }), undefined);
      }
      return { action: 'gave-up', attempts: this.attempts.length, windowMs: policy.windowMs };
    }
    const attempt = this.attempts.length + 1;
    const delayMs = recoveryDelayMs(policy, this.attempts.length, this.random);
    this.reloadTimer = clock.setTimeout(() => this.reloadNow(attempt, delayMs, reason), delayMs);
    return { action: 'reload-scheduled', attempt, delayMs };
  }

  /** `did-finish-load`: if the page stays up for `stableMs`, forget earlier attempts. */
  loadFinished(): void {
    if (this.disposed) return;
    this.cancelStable();
    this.stableTimer = this.options.clock.setTimeout(() => {
      this.stableTimer = undefined;
      const hadAttempts = this.attempts.length > 0;
      this.attempts = [];
      this.gaveUpReported = false;
      if (hadAttempts) this.safely(() => this.options.onStable?.(), undefined);
    }, this.options.policy.stableMs);
  }

  /**
   * Reloads a renderer that was discarded rather than broken (`memory-eviction`): at once, not counted
   * against `maxReloads` and not reported as a recovery attempt. Never while quitting or destroyed.
   */
  reloadUncounted(): boolean {
    if (this.disposed || this.reloadTimer !== undefined) return false;
    const { target } = this.options;
    if (this.safely(() => target.isQuitting() || target.isDestroyed(), true)) return false;
    this.safely(() => target.reload(), undefined);
    return true;
  }

  /**
   * The renderer started loading by someone else's hand (the app's own `reload()` after
   * `forcefullyCrashRenderer()`): a reload still waiting here would be a second one. Returns whether one was cancelled.
   */
  cancelPending(): boolean {
    if (this.reloadTimer === undefined) return false;
    this.options.clock.clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
    return true;
  }

  /** Reloads performed within the current window. */
  get attemptCount(): number {
    return this.attempts.length;
  }

  get reloadPending(): boolean {
    return this.reloadTimer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelStable();
    if (this.reloadTimer !== undefined) this.options.clock.clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
  }

  private reloadNow(attempt: number, delayMs: number, reason: string): void {
    this.reloadTimer = undefined;
    if (this.disposed) return;
    const { target, clock } = this.options;
    // The app may have started quitting, or the window closed, while we waited.
    if (this.safely(() => target.isQuitting() || target.isDestroyed(), true)) return;
    const at = clock.now();
    this.attempts.push(at);
    this.safely(() => this.options.onAttempt?.({ attempt, at, delayMs, reason }), undefined);
    this.safely(() => target.reload(), undefined);
  }

  private cancelStable(): void {
    if (this.stableTimer !== undefined) this.options.clock.clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }

  private safely<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (error) {
      reportSafely(this.options.onFault, error);
      return fallback;
    }
  }
}
