import type { Clock } from '../clock.js';
import type { FollowedFile } from './follow-file.js';
import { timerDelay } from './follow-options.js';

/**
 * One timer per followed file that holds an unfinished line (or is not yet known to be a copy): it
 * falls due once the file has not grown for idleMs, so a line its writer stopped in the middle of is
 * still shown, and an undecided file is decided.
 */
export class IdleTimers {
  private readonly timers = new Map<FollowedFile, unknown>();

  constructor(
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly due: (file: FollowedFile) => void,
  ) {}

  /** The file has not grown for idleMs. */
  isIdle(file: FollowedFile): boolean {
    return this.clock.now() - file.grewAt >= this.idleMs;
  }

  /** Restarts the file's timer from when it last grew; only stops it when nothing of the file waits. */
  arm(file: FollowedFile, waiting: boolean): void {
    this.cancel(file);
    if (!waiting) return;
    const wait = timerDelay(file.grewAt + this.idleMs - this.clock.now());
    this.timers.set(
      file,
      this.clock.setTimeout(() => {
        this.timers.delete(file);
        this.due(file);
      }, wait),
    );
  }

  cancel(file: FollowedFile): void {
    this.clock.clearTimeout(this.timers.get(file));
    this.timers.delete(file);
  }
}
