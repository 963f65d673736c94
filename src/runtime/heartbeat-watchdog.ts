import type { Clock } from '../clock.js';
import { safeCall } from '../safe-call.js';

export interface MissedHeartbeat {
  webContentsId: number;
  lastBeatAt: number;
  silentForMs: number;
}

export interface HeartbeatWatchdogOptions {
  clock: Clock;
  /** Silence longer than this is a hang. */
  timeoutMs: number;
  onMissed: (missed: MissedHeartbeat) => void;
  /** A renderer that was reported hung beats again. */
  onRecovered?: (info: { webContentsId: number; silentForMs: number }) => void;
  onFault?: (error: unknown) => void;
}

interface Watch {
  lastBeatAt: number;
  /** When silence started to count: the last beat, or the end of a pause. */
  countedFrom: number;
  timer: unknown;
  missed: boolean;
}

/**
 * Renderer heartbeats: a renderer that has sent one is watched from then on; silence beyond
 * `timeoutMs` is reported once per hang, and the next beat re-arms the watch. Renderers that
 * never beat are never watched, so apps that do not send heartbeats see nothing.
 */
export class HeartbeatWatchdog {
  private readonly watches = new Map<number, Watch>();
  /** Why every renderer is paused (`suspend`, `lock-screen`). */
  private readonly pausedAll = new Set<string>();
  /** Why one renderer is paused (its window is hidden or minimised, so Chromium throttles its timers). */
  private readonly pausedOne = new Map<number, Set<string>>();

  constructor(private readonly options: HeartbeatWatchdogOptions) {}

  beat(webContentsId: number): void {
    const { clock, timeoutMs } = this.options;
    const now = clock.now();
    const watch = this.watches.get(webContentsId);
    if (watch) {
      clock.clearTimeout(watch.timer);
      if (watch.missed) this.call(() => this.options.onRecovered?.({ webContentsId, silentForMs: now - watch.lastBeatAt }));
    }
    const next: Watch = { lastBeatAt: now, countedFrom: now, timer: undefined, missed: false };
    next.timer = clock.setTimeout(() => this.expire(webContentsId, next), timeoutMs);
    this.watches.set(webContentsId, next);
  }

  /**
   * Silence stops counting while `reason` holds: for every renderer (the machine sleeps, the screen
   * is locked), or for one (its window is hidden). A laptop waking up is not a hang.
   */
  pause(reason: string, webContentsId?: number): void {
    if (webContentsId === undefined) this.pausedAll.add(reason);
    else {
      const reasons = this.pausedOne.get(webContentsId) ?? new Set<string>();
      reasons.add(reason);
      this.pausedOne.set(webContentsId, reasons);
    }
  }

  /** Ends a pause; silence counts again from now, never from before the pause. */
  resume(reason: string, webContentsId?: number): void {
    if (webContentsId === undefined) {
      if (!this.pausedAll.delete(reason)) return;
      for (const id of this.watches.keys()) this.rearm(id);
    } else {
      const reasons = this.pausedOne.get(webContentsId);
      if (!reasons?.delete(reason)) return;
      if (reasons.size === 0) this.pausedOne.delete(webContentsId);
      this.rearm(webContentsId);
    }
  }

  isPaused(webContentsId: number): boolean {
    return this.pausedAll.size > 0 || (this.pausedOne.get(webContentsId)?.size ?? 0) > 0;
  }

  private rearm(webContentsId: number): void {
    const watch = this.watches.get(webContentsId);
    if (!watch || watch.missed || this.isPaused(webContentsId)) return;
    const { clock, timeoutMs } = this.options;
    clock.clearTimeout(watch.timer);
    watch.countedFrom = clock.now();
    watch.timer = clock.setTimeout(() => this.expire(webContentsId, watch), timeoutMs);
  }

  /** Stop watching (renderer crashed, reloading or destroyed); the next beat starts again. */
  forget(webContentsId: number): void {
    const watch = this.watches.get(webContentsId);
    if (watch) this.options.clock.clearTimeout(watch.timer);
    this.watches.delete(webContentsId);
  }

  isWatching(webContentsId: number): boolean {
    return this.watches.has(webContentsId);
  }

  dispose(): void {
    for (const id of [...this.watches.keys()]) this.forget(id);
  }

  private expire(webContentsId: number, watch: Watch): void {
    if (this.watches.get(webContentsId) !== watch) return;
    // Paused: nothing counts now; `resume` re-arms the watch from its own time.
    if (this.isPaused(webContentsId)) {
      watch.timer = undefined;
      return;
    }
    watch.missed = true;
    watch.timer = undefined;
    const silentForMs = this.options.clock.now() - watch.lastBeatAt;
    this.call(() => this.options.onMissed({ webContentsId, lastBeatAt: watch.lastBeatAt, silentForMs }));
  }

  private call(fn: () => void): void {
    safeCall(fn, this.options.onFault);
  }
}
