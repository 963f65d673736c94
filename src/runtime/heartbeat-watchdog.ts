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

  constructor(private readonly options: HeartbeatWatchdogOptions) {}

  beat(webContentsId: number): void {
    const { clock, timeoutMs } = this.options;
    const now = clock.now();
    const watch = this.watches.get(webContentsId);
    if (watch) {
      clock.clearTimeout(watch.timer);
      if (watch.missed) this.call(() => this.options.onRecovered?.({ webContentsId, silentForMs: now - watch.lastBeatAt }));
    }
    const next: Watch = { lastBeatAt: now, timer: undefined, missed: false };
    next.timer = clock.setTimeout(() => this.expire(webContentsId, next), timeoutMs);
    this.watches.set(webContentsId, next);
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
    watch.missed = true;
    watch.timer = undefined;
    const silentForMs = this.options.clock.now() - watch.lastBeatAt;
    this.call(() => this.options.onMissed({ webContentsId, lastBeatAt: watch.lastBeatAt, silentForMs }));
  }

  private call(fn: () => void): void {
    safeCall(fn, this.options.onFault);
  }
}
