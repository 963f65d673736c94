/**
 * Decides, after an unexpected exit, whether to restart the sidecar and after how long:
 * exponential backoff with jitter, at most `maxRestarts` restarts within a sliding `windowMs`,
 * and a clean slate once a run lasted `stableAfterMs`.
 */
import { backoffDelayMs } from './backoff.js';
import { MAX_TIMER_MS } from '../clock.js';

export interface RestartOptions {
  /** Restarts allowed within `windowMs` before the supervisor pauses. Default 5. */
  maxRestarts?: number;
  /** Delay before the first restart. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap of the exponential delay. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Sliding window the restarts are counted in. Default 60 000 ms. */
  windowMs?: number;
  /** A run at least this long counts as stable and resets the count. Default 30 000 ms. */
  stableAfterMs?: number;
  /** Share of the delay that is random: the delay is drawn from [d * (1 - jitter), d]. Default 0.5. */
  jitter?: number;
}

export type ResolvedRestartOptions = Required<RestartOptions>;

export const DEFAULT_RESTART_OPTIONS: ResolvedRestartOptions = {
  maxRestarts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  windowMs: 60_000,
  stableAfterMs: 30_000,
  jitter: 0.5,
};

export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'pause'; restartsInWindow: number };

/** setTimeout's largest delay: Node fires a longer timer after 1 ms, which would turn a long backoff into none. */

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function resolveRestartOptions(options: RestartOptions = {}): ResolvedRestartOptions {
  const d = DEFAULT_RESTART_OPTIONS;
  const baseDelayMs = Math.min(MAX_TIMER_MS, nonNegative(options.baseDelayMs, d.baseDelayMs));
  return {
    maxRestarts: Math.floor(nonNegative(options.maxRestarts, d.maxRestarts)),
    baseDelayMs,
    maxDelayMs: Math.min(MAX_TIMER_MS, Math.max(baseDelayMs, nonNegative(options.maxDelayMs, d.maxDelayMs))),
    windowMs: nonNegative(options.windowMs, d.windowMs),
    stableAfterMs: nonNegative(options.stableAfterMs, d.stableAfterMs),
    jitter: Math.min(1, nonNegative(options.jitter, d.jitter)),
  };
}

export class RestartPolicy {
  readonly options: ResolvedRestartOptions;
  private readonly random: () => number;
  /** Times (ms) restarts were scheduled at, oldest first, pruned to the window. */
  private restartTimes: number[] = [];

  constructor(options: RestartOptions = {}, random: () => number = Math.random) {
    this.options = resolveRestartOptions(options);
    this.random = random;
  }

  /** Restarts counted in the window as of `now`. */
  restartsInWindow(now: number): number {
    this.prune(now);
    return this.restartTimes.length;
  }

  /** Called on each unexpected exit with how long that run lasted. */
  onUnexpectedExit(now: number, uptimeMs: number): RestartDecision {
    if (uptimeMs >= this.options.stableAfterMs) this.restartTimes = [];
    this.prune(now);
    const used = this.restartTimes.length;
    if (used >= this.options.maxRestarts) return { action: 'pause', restartsInWindow: used };
    const attempt = used + 1;
    this.restartTimes.push(now);
    return { action: 'restart', attempt, delayMs: this.delayFor(attempt) };
  }

  /** Forget the history (on resume, or a fresh start). */
  reset(): void {
    this.restartTimes = [];
  }

  delayFor(attempt: number): number {
    const { baseDelayMs, maxDelayMs, jitter } = this.options;
    return backoffDelayMs(baseDelayMs, maxDelayMs, jitter, attempt - 1, this.random);
  }

  private prune(now: number): void {
    const cutoff = now - this.options.windowMs;
    let drop = 0;
    while (drop < this.restartTimes.length && this.restartTimes[drop]! <= cutoff) drop++;
    if (drop > 0) this.restartTimes.splice(0, drop);
  }
}
