/**
 * Supervises one sidecar process (the `codex app-server`): starts it as the leader of its own process
 * group, turns its stdout/stderr into log lines, reports every unexpected exit as a `sidecar-exit`
 * incident, restarts it with exponential backoff and jitter within a bound, pauses past the bound,
 * and on stop() (or abort) kills the whole process tree.
 *
 * Nothing here throws into the host from an event: a spawn error is an exit with reason
 * `launch-failed`, and a throwing callback is reported to `onError` and otherwise ignored.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { systemClock, type Clock } from '../clock.js';
import { reportSafely, safeCall } from '../safe-call.js';
import { DiagError, errnoCode } from '../errors.js';
import { killProcessTree } from './process-tree.js';
import { HostExitGuard } from './sidecar-host-exit-guard.js';
import { formatCommandLine } from './sidecar-command.js';
import { LineSplitter, DEFAULT_MAX_LINE_BYTES } from './sidecar-line-splitter.js';
import { droppedOutputLine, SidecarLogBudget, type SidecarLogBudgetOptions } from './sidecar-log-budget.js';
import { RestartPolicy } from './sidecar-restart-policy.js';
import type {
  SidecarEvent,
  SidecarExitIncident,
  SidecarExitReason,
  SidecarHandle,
  SidecarLogLine,
  SidecarStartOptions,
  SidecarState,
  SpawnEdge,
} from './sidecar-types.js';

export interface SidecarSupervisorOptions {
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  spawn?: SpawnEdge;
  platform?: NodeJS.Platform;
  onEvent?: (event: SidecarEvent) => void;
  onLogLine?: (line: SidecarLogLine) => void;
  onIncident?: (incident: SidecarExitIncident) => void;
  /** A fault inside supervision (a throwing callback, a stray child error): logged by the embedding. */
  onError?: (error: unknown) => void;
  /** Grace between SIGTERM and SIGKILL on stop(). Default 2000 ms. */
  killGraceMs?: number;
  /** Kill the tree synchronously if the host process exits while the sidecar runs. Default true. */
  killOnHostExit?: boolean;
  /**
   * Shared guard holding one host `exit` listener for many sidecars (an owner of several passes
   * the same one to each). Default: a guard of this supervisor's own.
   */
  hostExitGuard?: HostExitGuard;
  maxLineBytes?: number;
  /** How much output reaches onLogLine; the rest is dropped and counted (see SidecarLogBudget). */
  logBudget?: SidecarLogBudgetOptions;
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);

export function classifyExit(exitCode: number | null, signal: string | null): SidecarExitReason {
  if (signal !== null) return CRASH_SIGNALS.has(signal) ? 'crashed' : 'killed';
  if (exitCode === null) return 'abnormal-exit';
  if (exitCode === 0) return 'clean-exit';
  // Windows reports access violations and friends as NTSTATUS codes 0xC0000000 and up.
  if (exitCode >>> 0 >= 0xc0000000) return 'crashed';
  return 'abnormal-exit';
}

function describeSpawnError(error: unknown, command: string): string {
  const code = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return `${message}: command not found (or cwd does not exist): ${command}`;
  if (code === 'EACCES') return `${message}: permission denied: ${command}`;
  return message;
}

interface Run {
  child: ChildProcess | undefined;
  pid: number | undefined;
  spawned: boolean;
  startedAt: number;
  done: boolean;
  exited: Promise<void>;
  markExited: () => void;
  removeHostHook: () => void;
}

export class SidecarSupervisor {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly spawnEdge: SpawnEdge;
  private readonly platform: NodeJS.Platform;
  private readonly options: SidecarSupervisorOptions;
  private readonly hostExitGuard: HostExitGuard | undefined;

  private spec: SidecarStartOptions | undefined;
  private commandLine = '';
  private policy: RestartPolicy | undefined;
  private run: Run | undefined;
  private restartTimer: unknown;
  private stateValue: SidecarState = 'idle';
  private stopPromise: Promise<void> | undefined;
  private detachAbort: (() => void) | undefined;
  /** Kills of a crashed run's leftovers (its group) that a restart or stop() waits for. */
  private cleanups = new Set<Promise<unknown>>();
  /** One per stream (so the note on dropped lines lands in the right one), kept across runs so a crash loop of a noisy sidecar stays bounded too. */
  private readonly logBudgets: Record<'stdout' | 'stderr', SidecarLogBudget>;

  constructor(options: SidecarSupervisorOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.spawnEdge = options.spawn ?? ((command, args, spawnOptions) => nodeSpawn(command, args, spawnOptions));
    this.platform = options.platform ?? process.platform;
    this.hostExitGuard = options.killOnHostExit === false ? undefined : (options.hostExitGuard ?? new HostExitGuard());
    this.logBudgets = { stdout: new SidecarLogBudget(options.logBudget), stderr: new SidecarLogBudget(options.logBudget) };
  }

  get state(): SidecarState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.run && !this.run.done ? this.run.pid : undefined;
  }

  start(spec: SidecarStartOptions): SidecarHandle {
    if (this.stateValue !== 'idle' && this.stateValue !== 'stopped') {
      throw new DiagError('BAD_USAGE', `sidecar "${this.commandLine}" is already ${this.stateValue}; stop() it first`);
    }
    if (typeof spec.command !== 'string' || spec.command === '') {
      throw new DiagError('BAD_INPUT', 'sidecar command: expected a non-empty string');
    }
    this.spec = spec;
    this.commandLine = formatCommandLine(spec.command, spec.args ?? []);
    this.policy = new RestartPolicy(spec.restart, this.random);
    this.stopPromise = undefined;
    this.cleanups = new Set();
    this.launch(0);
    if (spec.signal) {
      const signal = spec.signal;
      const onAbort = (): void => void this.stop();
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const supervisor = this;
    return {
      get pid() {
        return supervisor.pid;
      },
      get state() {
        return supervisor.state;
      },
      get child() {
        return supervisor.run && !supervisor.run.done ? supervisor.run.child : undefined;
      },
      stop: () => supervisor.stop(),
      resume: () => supervisor.resume(),
    };
  }

  /** Leaves `paused` with a fresh restart count and starts the sidecar again. */
  resume(): boolean {
    if (this.stateValue !== 'paused' || !this.policy) return false;
    this.policy.reset();
    this.launch(0);
    return true;
  }

  /**
   * Stops supervising and kills the tree. `graceMs` shortens the wait between SIGTERM and SIGKILL
   * (a bounded close must not leave a sidecar that ignores SIGTERM running past its budget).
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    if (this.stateValue === 'idle') return Promise.resolve();
    this.stopPromise = this.stopNow(options.graceMs);
    return this.stopPromise;
  }

  private async stopNow(graceMs: number | undefined): Promise<void> {
    this.stateValue = 'stopping';
    this.detachAbort?.();
    this.detachAbort = undefined;
    if (this.restartTimer !== undefined) {
      this.clock.clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    const run = this.run;
    const waits: Promise<unknown>[] = [...this.cleanups];
    if (run && !run.done) {
      if (run.pid !== undefined) waits.push(this.killTree(run.pid, false, graceMs));
      waits.push(run.exited);
    }
    await Promise.all(waits);
    this.stateValue = 'stopped';
  }

  private killTree(pid: number, rootExited = false, graceMs?: number): Promise<unknown> {
    const defaultGraceMs = this.options.killGraceMs ?? 2000;
    const grace = graceMs !== undefined && graceMs >= 0 ? Math.min(graceMs, defaultGraceMs) : defaultGraceMs;
    return killProcessTree(pid, { graceMs: grace, platform: this.platform, rootExited }).then(
      (result) => {
        if (result.survivors.length > 0) {
          this.report(new Error(`sidecar "${this.commandLine}": pids still alive after SIGKILL: ${result.survivors.join(', ')}`));
        }
      },
      (error: unknown) => this.report(error),
    );
  }

  private launch(attempt: number): void {
    const spec = this.spec!;
    this.restartTimer = undefined;
    let markExited!: () => void;
    const run: Run = {
      child: undefined,
      pid: undefined,
      spawned: false,
      startedAt: this.clock.now(),
      done: false,
      exited: new Promise<void>((resolve) => (markExited = resolve)),
      markExited: () => markExited(),
      removeHostHook: () => {},
    };
    this.run = run;
    this.stateValue = 'running';

    let child: ChildProcess;
    try {
      child = this.spawnEdge(spec.command, spec.args ?? [], {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        // POSIX: lead a new process group so one signal reaches every grandchild. Windows: a
        // detached child would get its own console window; taskkill /T walks the tree instead.
        detached: this.platform !== 'win32',
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      // Synchronous spawn failures (bad arguments): reported like ENOENT, after start() returned.
      queueMicrotask(() => this.onRunEnded(run, null, null, error));
      return;
    }
    run.child = child;
    run.pid = child.pid;

    const maxLineBytes = this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    for (const stream of spec.logStreams ?? (['stdout', 'stderr'] as const)) {
      const readable = child[stream];
      if (!readable) continue;
      const splitter = new LineSplitter((text) => this.logLine(run, stream, text), maxLineBytes);
      readable.on('data', (chunk: Buffer) => splitter.push(chunk));
      readable.on('end', () => {
        splitter.end();
        const dropped = this.logBudgets[stream].takeDropped();
        if (dropped) this.call(this.options.onLogLine, { stream, text: droppedOutputLine(dropped), pid: run.pid ?? -1, command: this.commandLine });
      });
      readable.on('error', (error) => this.report(error));
    }
    // Writing to a child that just died raises EPIPE on stdin: expected, not a host error.
    child.stdin?.on('error', () => {});

    child.once('spawn', () => {
      run.spawned = true;
      run.startedAt = this.clock.now();
      if (this.hostExitGuard && run.pid !== undefined && !run.done) {
        run.removeHostHook = this.hostExitGuard.track(run.pid, this.platform);
      }
      this.emit({ type: 'start', pid: run.pid ?? -1, attempt, command: this.commandLine, at: run.startedAt });
    });
    child.on('error', (error) => {
      if (!run.spawned) this.onRunEnded(run, null, null, error);
      else this.report(error); // e.g. a failed kill(): the exit event still follows
    });
    child.once('exit', (code, signal) => this.onRunEnded(run, code, signal, undefined));
  }

  private logLine(run: Run, stream: 'stdout' | 'stderr', text: string): void {
    if (!this.options.onLogLine) return;
    const admitted = this.logBudgets[stream].admit(text.length, this.clock.now());
    if (!admitted.ok) return;
    const pid = run.pid ?? -1;
    if (admitted.dropped) this.call(this.options.onLogLine, { stream, text: droppedOutputLine(admitted.dropped), pid, command: this.commandLine });
    this.call(this.options.onLogLine, { stream, text, pid, command: this.commandLine });
  }

  private onRunEnded(run: Run, exitCode: number | null, signal: string | null, launchError: unknown): void {
    if (run.done) return;
    run.done = true;
    run.removeHostHook();
    run.markExited();
    const now = this.clock.now();
    const uptimeMs = run.spawned ? Math.max(0, now - run.startedAt) : 0;
    const expected = this.stateValue === 'stopping' || this.stateValue === 'stopped';
    const reason: SidecarExitReason = launchError !== undefined ? 'launch-failed' : classifyExit(exitCode, signal);
    const error = launchError !== undefined ? describeSpawnError(launchError, this.commandLine) : undefined;
    const pid = run.pid ?? null;
    const base = { pid, exitCode, signal, reason, uptimeMs, command: this.commandLine, at: now };
    if (expected) {
      this.emit({ type: 'exit', expected: true, ...base, ...(error ? { error } : {}) });
      return;
    }

    // Grandchildren of a crashed run must not outlive it (nor pile up across restarts).
    if (run.pid !== undefined && this.platform !== 'win32') {
      const cleanup = this.killTree(run.pid, true);
      this.cleanups.add(cleanup);
      void cleanup.then(() => this.cleanups.delete(cleanup));
    }

    const decision = this.policy!.onUnexpectedExit(now, uptimeMs);
    this.emit({ type: 'exit', expected: false, ...base, ...(error ? { error } : {}) });
    const incident: SidecarExitIncident = {
      kind: 'sidecar-exit',
      command: this.commandLine,
      exitCode,
      signal,
      ...(pid !== null ? { pid } : {}),
      occurredAt: new Date(now).toISOString(),
      reason,
      uptimeMs,
      ...(error ? { error } : {}),
      ...(decision.action === 'pause' ? { restartsPaused: true, restartsInWindow: decision.restartsInWindow } : {}),
    };
    this.call(this.options.onIncident, incident);

    if (decision.action === 'pause') {
      this.stateValue = 'paused';
      this.emit({
        type: 'paused',
        pid,
        exitCode,
        signal,
        restartsInWindow: decision.restartsInWindow,
        windowMs: this.policy!.options.windowMs,
        command: this.commandLine,
        at: now,
      });
      return;
    }
    this.stateValue = 'backoff';
    this.emit({ type: 'restart', pid, attempt: decision.attempt, delayMs: decision.delayMs, command: this.commandLine, at: now });
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stateValue !== 'backoff') return;
      void Promise.all([...this.cleanups]).then(() => {
        if (this.stateValue === 'backoff') this.launch(decision.attempt);
      });
    }, decision.delayMs);
  }

  private emit(event: SidecarEvent): void {
    this.call(this.options.onEvent, event);
  }

  private call<T>(callback: ((value: T) => void) | undefined, value: T): void {
    safeCall(callback, this.options.onError, value);
  }

  private report(error: unknown): void {
    reportSafely(this.options.onError, error);
  }
}
