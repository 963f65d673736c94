/**
 * How much of a sidecar's output reaches the log: a token bucket over bytes. pino's worker-thread
 * transport ignores backpressure and buffers without bound in the host's memory (thread-stream keeps
 * up to MAX_STRING_LENGTH queued), then flushes it synchronously at exit; so a sidecar printing tens of
 * MB/s would grow the host's heap, rotate every log file away and delay quitting by seconds. Past the
 * budget, lines are dropped and counted, and one line saying how many goes out before the next line
 * that fits (as a lag marker does in delivery). Pausing the child's pipes instead would stall the
 * sidecar itself.
 */

export interface SidecarLogBudgetOptions {
  /** Sustained rate. Default 256 KiB/s. */
  bytesPerSecond?: number;
  /** Burst allowance (and starting balance). Default 1 MiB. */
  burstBytes?: number;
}

export const DEFAULT_LOG_BYTES_PER_SECOND = 256 * 1024;
export const DEFAULT_LOG_BURST_BYTES = 1024 * 1024;

export class SidecarLogBudget {
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private lastAt: number | undefined;
  private droppedLines = 0;
  private droppedBytes = 0;

  constructor(options: SidecarLogBudgetOptions = {}) {
    this.rate = positiveOr(options.bytesPerSecond, DEFAULT_LOG_BYTES_PER_SECOND);
    this.burst = positiveOr(options.burstBytes, DEFAULT_LOG_BURST_BYTES);
    this.tokens = this.burst;
  }

  /**
   * Whether a line of `bytes` may be logged at `now`. When it may and lines were dropped before it,
   * `dropped` says how many (reported once, then reset).
   */
  admit(bytes: number, now: number): { ok: boolean; dropped?: { lines: number; bytes: number } } {
    this.refill(now);
    // A line larger than the burst could never fit; it is admitted against a full bucket instead.
    const cost = Math.min(bytes, this.burst);
    if (this.tokens < cost) {
      this.droppedLines++;
      this.droppedBytes += bytes;
      return { ok: false };
    }
    this.tokens -= cost;
    return this.droppedLines > 0 ? { ok: true, dropped: this.takeDropped() } : { ok: true };
  }

  /** What was dropped and not yet reported (at the end of a run); resets the count. */
  takeDropped(): { lines: number; bytes: number } | undefined {
    if (this.droppedLines === 0) return undefined;
    const dropped = { lines: this.droppedLines, bytes: this.droppedBytes };
    this.droppedLines = 0;
    this.droppedBytes = 0;
    return dropped;
  }

  private refill(now: number): void {
    if (this.lastAt !== undefined && now > this.lastAt) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastAt) * this.rate) / 1000);
    }
    if (this.lastAt === undefined || now > this.lastAt) this.lastAt = now;
  }
}

export function droppedOutputLine(dropped: { lines: number; bytes: number }): string {
  return `[codex-diag: ${dropped.lines} sidecar output lines (${dropped.bytes} bytes) not logged: over the log budget]`;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
