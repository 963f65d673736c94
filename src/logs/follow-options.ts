import { MAX_TIMER_MS, type Clock } from '../clock.js';
import type { LogTree } from './discover.js';
import type { FollowFileSystem } from './follow-file.js';
import type { WatchPath } from './follow-watch.js';
import type { TailLine } from './types.js';

/** An unfinished last line is printed once its file has not grown for this long. */
export const DEFAULT_PARTIAL_LINE_IDLE_MS = 5000;
/** While fs.watch works: how often to check, cheaply, for an event it missed. */
export const DEFAULT_SAFETY_POLL_MS = 5000;
/** When fs.watch is off or fails for a dir: how often to list the dir and look for growth. */
export const DEFAULT_POLL_MS = 1000;

/** A delay as the follower's timers take it: whole, at least 1 ms (a timer re-armed at 0 would spin), at most MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(ms)));
}

/** What `followLogs` takes (its contract; follow.ts is the mechanism). */
export interface FollowLogsOptions {
  logDir: string;
  /** Following stops when it aborts; held unfinished lines are emitted, then the promise resolves. */
  signal: AbortSignal;
  onLine: (line: TailLine) => void;
  /** Emit the last N lines present at start first (like `tail -n N -F`). Default 0. */
  initialLines?: number;
  /** Only lines it accepts are emitted (and count towards initialLines), e.g. a level filter. */
  accept?: (line: TailLine) => boolean;
  maxLineBytes?: number;
  /**
   * A last line without newline is held until its newline, and emitted without it only when its file
   * is rotated away (renamed, truncated, a newer file from its writer) or deleted, at stop, or after
   * the file has not grown for this long; bytes added to it later then come as a new line.
   * Default DEFAULT_PARTIAL_LINE_IDLE_MS (5 s).
   */
  partialLineIdleMs?: number;
  /** React to fs.watch events on the log dir, its dated subdirs and the open files. Default true. */
  watch?: boolean;
  /** Safety poll while fs.watch works (one stat per dir and per open file, no listing). Default 5000. */
  safetyPollMs?: number;
  /** Poll when fs.watch is off or unavailable (lists the dir every time). Default 1000. */
  pollMs?: number;
  clock?: Clock;
  fileSystem?: FollowFileSystem;
  /** Lists the log dir (default: discoverLogTree); injectable so tests can count listings. */
  discover?: (logDir: string) => Promise<LogTree>;
  /** How a path is watched (default fs.watch). */
  watchPath?: WatchPath;
  /** Called once the follower is live: watching, and the initial lines emitted. */
  onLive?: (info: { files: number }) => void;
  /** Called each time the follower has read everything it was told of. */
  onCaughtUp?: () => void;
  /** Faults while following (unreadable file, onLine threw); following goes on. */
  onError?: (error: unknown) => void;
}
