/** Shapes the sidecar supervisor hands to its embedding: events, log lines, incidents. */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { RestartOptions } from './sidecar-restart-policy.js';

export interface SidecarStartOptions {
  command: string;
  args?: readonly string[];
  /** Added to the host's environment (not a replacement: the sidecar still needs PATH etc.). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  restart?: RestartOptions;
  /**
   * Streams whose lines go to `onLogLine`. Default both. Leave `stdout` out when it carries a
   * protocol (JSON-RPC over stdio): the host then reads `handle.child.stdout` itself.
   */
  logStreams?: ReadonlyArray<'stdout' | 'stderr'>;
  /** Aborting it stops the sidecar like `stop()` (the whole process tree). */
  signal?: AbortSignal;
}

/**
 * Why a run ended, in Electron's `child-process-gone` vocabulary so levels and titles map alike:
 * `launch-failed` (spawn error such as ENOENT), `crashed` (a fault signal or a Windows NTSTATUS
 * crash code), `killed` (any other signal), `clean-exit` (code 0), `abnormal-exit` (other codes).
 */
export type SidecarExitReason = 'launch-failed' | 'crashed' | 'killed' | 'clean-exit' | 'abnormal-exit';

export type SidecarEvent =
  | { type: 'start'; pid: number; attempt: number; command: string; at: number }
  | {
      type: 'exit';
      pid: number | null;
      exitCode: number | null;
      signal: string | null;
      /** True when stop()/abort asked for it: no incident, no restart. */
      expected: boolean;
      reason: SidecarExitReason;
      /** The spawn error, for `launch-failed` (e.g. `spawn codex ENOENT: command not found`). */
      error?: string;
      uptimeMs: number;
      command: string;
      at: number;
    }
  | { type: 'restart'; pid: number | null; attempt: number; delayMs: number; command: string; at: number }
  | {
      type: 'paused';
      pid: number | null;
      exitCode: number | null;
      signal: string | null;
      restartsInWindow: number;
      windowMs: number;
      command: string;
      at: number;
    };

export type SidecarEventType = SidecarEvent['type'];

export interface SidecarLogLine {
  stream: 'stdout' | 'stderr';
  /** One line without its newline; cut with a visible marker past the line bound. */
  text: string;
  pid: number;
  command: string;
}

/** Contract shape of a `sidecar-exit` incident (the incident contract), plus context fields. */
export interface SidecarExitIncident {
  kind: 'sidecar-exit';
  /** As a person would write it: `codex app-server`. */
  command: string;
  exitCode: number | null;
  signal: string | null;
  /** Absent when the process never started (launch failure). */
  pid?: number;
  /** ISO-8601. */
  occurredAt: string;
  reason: SidecarExitReason;
  uptimeMs: number;
  /** Present on a launch failure. */
  error?: string;
  /** True on the exit that hit `maxRestarts` within `windowMs`: no restart follows until resume(). */
  restartsPaused?: boolean;
  restartsInWindow?: number;
}

export type SpawnEdge = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export type SidecarState = 'idle' | 'running' | 'backoff' | 'paused' | 'stopping' | 'stopped';

export interface SidecarHandle {
  /** Pid of the current run; undefined while none is running (backoff, paused, stopped, launch failed). */
  readonly pid: number | undefined;
  readonly state: SidecarState;
  /** The current child (for stdin-based protocols); undefined while none is running. */
  readonly child: ChildProcess | undefined;
  /** Stops supervising and kills the whole process tree. Idempotent; never rejects. */
  stop(): Promise<void>;
  /** Leaves the paused state and starts again with a fresh restart count. False when not paused. */
  resume(): boolean;
}
