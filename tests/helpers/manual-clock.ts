import type { Clock } from '../../src/clock.js';

type Timer = { at: number; fn: () => void };

/**
 * A clock the test moves by hand: timers fire only inside advance(), in time order, each with
 * now() reading its due time. A clock that is never advanced is a frozen clock.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.parse('2026-11-21T09:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing due timers (including ones set by those timers) in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, Timer] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }

  /** Moves the clock to `ms` without firing timers (a wall clock that steps, e.g. backwards). */
  setTime(ms: number): void {
    this.time = ms;
  }

  /** How many timers are set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Pending timers' delays from now, soonest first. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}
