import os from 'node:os';
import { MAX_TIMER_MS, systemClock, type Clock } from '../clock.js';
import { errnoCode, oneLine } from '../errors.js';
import { ELECTRON_PORT, type ElectronPort, type RegisteredRenderer } from '../electron/port.js';
import { CrashLoopLimiter } from '../incidents/crash-loop-limiter.js';
import { fingerprintIncident } from '../incidents/fingerprint.js';
import { IncidentJournal } from '../incidents/journal.js';
import { parseIncident } from '../incidents/parse.js';
import { shouldCapture, type CapturePolicy } from '../incidents/policy.js';
import type { DiagLogger } from '../logs/logger.js';
import { dataLayout, defaultDataDir, defaultLogDir, resolveDsn } from '../paths.js';
import type { SendOptions } from '../runtime/delivery-classify.js';
import type { DeliverFn, DeliveryStats, SendResult } from '../runtime/delivery-types.js';
import { HeartbeatWatchdog } from '../runtime/heartbeat-watchdog.js';
import { ReadyGate } from '../runtime/ready-gate.js';
import { defaultRecoveryPolicy, type RecoveryPolicy } from '../runtime/recovery-policy.js';
import { MetricsLogReporter } from '../runtime/metrics-log-reporter.js';
import { RollingMetrics } from '../runtime/rolling-metrics.js';
import { SidecarSupervisor } from '../runtime/sidecar-supervisor.js';
import { HostExitGuard } from '../runtime/sidecar-host-exit-guard.js';
import type { SidecarHandle, SidecarStartOptions } from '../runtime/sidecar-types.js';
import { defaultUnresponsiveOptions, type UnresponsiveOptions } from '../runtime/unresponsive-monitor.js';
import { StateStore } from '../state/store.js';
import { parseDsn } from '../upload/dsn.js';
import type { Uploader } from '../upload/uploader.js';
import { EventHub } from './event-hub.js';
import { FaultCounter } from './fault-counter.js';
import { IncidentBundleWriter } from './incident-bundle-writer.js';
import { parseDiagnosticsOptions } from './options.js';
import type {
  BundleEvent,
  CloseResult,
  Diagnostics,
  DiagnosticsEventName,
  DiagnosticsEvents,
  DiagnosticsMetrics,
  FaultReport,
  IncidentOutcome,
} from './types.js';

type ParsedOptions = ReturnType<typeof parseDiagnosticsOptions>;
type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;
const DEFAULT_UPLOAD_START_DELAY_MS = 5_000;

/**
 * The one object a desktop main process holds: wires state, logger, incidents, bundles, uploads,
 * ready-gated delivery, recovery settings, sidecar supervision and metrics. Heavy modules (the
 * bundle writer with archiver, the Sentry client) load on first use. Every fault inside is logged
 * and counted (`faults`), never thrown into the app.
 */
export class DiagnosticsService implements Diagnostics {
  readonly logDir: string;
  readonly dataDir: string;
  readonly metrics: DiagnosticsMetrics;
  readonly [ELECTRON_PORT]: ElectronPort;

  private readonly clock: Clock;
  private readonly layout: ReturnType<typeof dataLayout>;
  private readonly homedir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly app: { name: string; version: string };
  private readonly capture: Partial<CapturePolicy>;
  private readonly closeTimeoutMs: number;
  private readonly faultCounter = new FaultCounter();
  private readonly events: EventHub<DiagnosticsEvents>;
  private readonly gate: ReadyGate;
  private readonly watchdog: HeartbeatWatchdog;
  private readonly limiter: CrashLoopLimiter;
  private readonly journal: IncidentJournal;
  private readonly rolling: RollingMetrics;
  private readonly metricsReporter: MetricsLogReporter;
  private readonly renderers = new Map<number, RegisteredRenderer>();
  private readonly sidecars = new Set<SidecarSupervisor>();
  /** One host `exit` listener for all sidecars, not one each (ten would trip MaxListenersExceededWarning). */
  private readonly hostExitGuard = new HostExitGuard();
  private readonly inflight = new Set<Promise<unknown>>();
  private state: StateStore | undefined;
  private logger: DiagLogger | undefined;
  private dsn: string | undefined;
  private uploader: Promise<Uploader | undefined> | undefined;
  private readonly bundles: IncidentBundleWriter;
  private uploadStartTimer: unknown;
  /** Epoch ms before which no background upload starts (open time + `upload.startDelayMs`). */
  private uploadNotBefore = 0;
  private quitting = false;
  private closing = false;
  private closePromise: Promise<CloseResult> | undefined;

  private constructor(private readonly options: ParsedOptions) {
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    this.homedir = options.homedir ?? os.homedir();
    const pathEnv = { platform: process.platform, env: this.env, homedir: this.homedir };
    this.logDir = options.logDir ?? defaultLogDir(pathEnv);
    this.dataDir = options.dataDir ?? defaultDataDir(pathEnv);
    this.layout = dataLayout(this.dataDir);
    this.app = options.app ?? { name: 'Codex', version: '0.0.0' };
    this.capture = options.capture ?? {};
    // The schema caps closeTimeoutMs at the largest timer delay.
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.events = new EventHub<DiagnosticsEvents>((event, error) => this.fault(`listener:${String(event)}`, error));
    this.gate = new ReadyGate({
      capacity: options.delivery?.capacity,
      deliver: this.deliverEdge(options.deliver),
      onFault: (error, id, channel) => this.fault('delivery', error, { webContentsId: id, channel }),
    });
    this.watchdog = new HeartbeatWatchdog({
      clock: this.clock,
      timeoutMs: options.heartbeat?.timeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      onMissed: (missed) => {
        const where = this.describeRenderer(missed.webContentsId);
        void this.recordIncident({ kind: 'unresponsive', source: 'heartbeat', durationMs: missed.silentForMs, webContentsId: missed.webContentsId, ...where });
      },
      onFault: (error) => this.fault('heartbeat', error),
    });
    this.limiter = new CrashLoopLimiter({ clock: this.clock, windowMs: options.crashLoop?.windowMs });
    this.journal = IncidentJournal.inDataDir(this.dataDir, { clock: this.clock });
    this.rolling = new RollingMetrics({ clock: this.clock, windowMs: options.metrics?.windowMs });
    this.bundles = new IncidentBundleWriter({
      logDir: this.logDir,
      bundlesDir: this.layout.bundlesDir,
      homedir: this.homedir,
      app: this.app,
      bounds: options.bundle ?? {},
      clock: this.clock,
      snapshotState: () => this.state?.snapshot() ?? null,
      metricsReport: () => this.rolling.report(),
      onLogReadFault: (error) => this.fault('logs', error),
    });
    this.metricsReporter = new MetricsLogReporter({
      clock: this.clock,
      intervalMs: this.rolling.windowMs,
      report: () => this.rolling.report(),
      write: (summary, report) => this.log('info', summary, { metrics: report }),
      onFault: (error) => this.fault('metrics', error),
    });
    this.metrics = {
      record: (method, durationMs, ok) => {
        try {
          this.rolling.record(method, durationMs, ok);
          this.metricsReporter.noteRecord();
        } catch (error) {
          this.fault('metrics', error);
        }
      },
      report: () => this.rolling.report(),
    };
    this[ELECTRON_PORT] = this.electronPort(options);
  }

  static async open(input: unknown): Promise<DiagnosticsService> {
    const options = parseDiagnosticsOptions(input);
    if (options.dsn !== undefined && options.dsn.trim() !== '') parseDsn(options.dsn);
    const service = new DiagnosticsService(options);
    await service.start();
    return service;
  }

  get faults(): FaultReport {
    return this.faultCounter.report();
  }

  recordAppStarted(now?: number): void {
    if (this.closing) return; // the state store is closed or closing
    this.guard('state', () => this.state?.recordAppStarted(now ?? this.clock.now()));
  }

  markRendererReady(webContentsId: number): number | null {
    if (this.closing) return null;
    let latency: number | null = null;
    this.guard('state', () => {
      latency = this.state?.recordRendererReady(this.clock.now()) ?? null;
    });
    this.guard('delivery', () => {
      const flushed = this.gate.markReady(webContentsId);
      this.log('info', 'renderer ready', { webContentsId, latencyMs: latency, flushed });
    });
    return latency;
  }

  recordHeartbeat(webContentsId: number): void {
    if (this.closing) return; // a beat would re-arm a watchdog that close() disposed
    this.guard('heartbeat', () => {
      this.watchdog.beat(webContentsId);
      this.state?.recordHeartbeat(this.clock.now());
    });
  }

  send(webContentsId: number, channel: string, payload: unknown, options?: SendOptions): SendResult {
    // After close nothing would ever flush the queue: say so instead of queueing into the void.
    if (this.closing) return 'dropped';
    try {
      return this.gate.send(webContentsId, channel, payload, options);
    } catch (error) {
      this.fault('delivery', error);
      return 'dropped';
    }
  }

  deliveryStats(): DeliveryStats {
    return this.gate.stats();
  }

  on<E extends DiagnosticsEventName>(event: E, listener: (value: DiagnosticsEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  off<E extends DiagnosticsEventName>(event: E, listener: (value: DiagnosticsEvents[E]) => void): void {
    this.events.off(event, listener);
  }

  recordIncident(input: unknown): Promise<IncidentOutcome> {
    if (this.closing) return Promise.resolve({ status: 'dropped', reason: 'closed' });
    const task = this.processIncident(input).catch((error: unknown): IncidentOutcome => {
      this.fault('incident', error);
      return { status: 'dropped', reason: 'fault', error: oneLine(error) };
    });
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
    return task;
  }

  startSidecar(spec: SidecarStartOptions): SidecarHandle {
    // A child started after close would never be stopped and would keep the host process alive.
    if (this.closing) {
      this.fault('sidecar', new Error('startSidecar after close: not started'));
      return inertSidecarHandle();
    }
    try {
      return this.superviseSidecar(spec);
    } catch (error) {
      this.malformed('sidecar', `sidecar not started: ${oneLine(error)}`);
      return inertSidecarHandle();
    }
  }

  private superviseSidecar(spec: SidecarStartOptions): SidecarHandle {
    if (typeof spec !== 'object' || spec === null) throw new TypeError('startSidecar: expected an options object {command, args, env, cwd, restart}');
    let lastExitReason: string | null = null;
    const supervisor = new SidecarSupervisor({
      clock: this.clock,
      ...(this.options.random ? { random: this.options.random } : {}),
      hostExitGuard: this.hostExitGuard,
      onEvent: (event) => {
        if (event.type === 'exit') lastExitReason = event.reason;
        if (event.type === 'restart') this.guard('state', () => this.state?.recordSidecarRestart(event.at, lastExitReason));
        this.log(event.type === 'start' ? 'info' : 'warn', `sidecar ${event.type}`, { ...event });
        this.events.emit('sidecar', event);
      },
      onLogLine: (line) => this.log('info', line.text, { source: 'sidecar', stream: line.stream, pid: line.pid }),
      onIncident: (incident) => void this.recordIncident(incident),
      onError: (error) => this.fault('sidecar', error),
    });
    const handle = supervisor.start(spec);
    this.sidecars.add(supervisor);
    return handle;
  }

  close(options?: { timeoutMs?: number }): Promise<CloseResult> {
    if (this.closePromise) return this.closePromise;
    const budget = this.closeBudget(options);
    const startedAt = this.clock.now();
    this.closing = true;
    const left = () => Math.max(1, budget - (this.clock.now() - startedAt));
    const work = (async () => {
      this.watchdog.dispose();
      this.metricsReporter.stop();
      this.clock.clearTimeout(this.uploadStartTimer);
      // Incidents being written get up to half the budget; the flush below needs the rest.
      await this.within(Promise.allSettled([...this.inflight]), budget / 2);
      const uploader = this.uploader ? await this.within(this.uploader, left()) : undefined;
      await Promise.allSettled([
        this.state?.close(),
        uploader?.close({ timeoutMs: Math.max(1, left() - 100) }),
        // Half of what is left between SIGTERM and SIGKILL, so even a sidecar that ignores SIGTERM is gone in budget.
        ...[...this.sidecars].map((s) => s.stop({ graceMs: Math.floor(left() / 2) })),
      ]);
      const logger = this.logger;
      // Records written after this point would only fail against a closed transport.
      this.logger = undefined;
      await logger?.close({ timeoutMs: left() });
      return true;
    })().catch((error: unknown) => {
      this.fault('close', error);
      return false;
    });
    // The clock's timers are unref'd, and so are pino's worker and the kill timers: without one
    // referenced handle a host that ends with `await diag.close()` would exit mid-flush, before close
    // resolves and before whatever it does next. A real timer, so it is bounded even with a test clock.
    const keepAlive = setTimeout(() => undefined, budget);
    this.closePromise = this.within(work, budget)
      .then((done) => ({ completed: done === true, elapsedMs: this.clock.now() - startedAt }))
      .finally(() => clearTimeout(keepAlive));
    return this.closePromise;
  }

  /**
   * The budget asked for, or the default when it is not a positive number. Capped at the largest
   * timer delay: past it Node fires a timer after 1 ms (with a warning), which would end the flush at once.
   */
  private closeBudget(options: unknown): number {
    let requested: unknown;
    try {
      requested = (options as { timeoutMs?: unknown } | null | undefined)?.timeoutMs;
    } catch (error) {
      this.fault('close', error);
    }
    if (requested === undefined) return this.closeTimeoutMs;
    if (typeof requested !== 'number' || Number.isNaN(requested) || requested <= 0) {
      this.malformed('close', `close: timeoutMs must be a positive number of ms, got ${String(requested)}; using ${this.closeTimeoutMs}`);
      return this.closeTimeoutMs;
    }
    return Math.min(requested, MAX_TIMER_MS);
  }

  // ---- start-up -------------------------------------------------------------------------------

  private async start(): Promise<void> {
    this.dsn = this.resolveDsnSafely();
    if (this.options.log !== false) {
      try {
        const { createLogger } = await import('../logs/logger.js');
        const log = this.options.log ?? {};
        this.logger = createLogger({
          logDir: this.logDir,
          name: log.name ?? 'codex-diag',
          ...(log.level !== undefined ? { level: log.level } : {}),
          ...(log.size !== undefined ? { size: log.size } : {}),
          ...(log.limit !== undefined ? { limit: log.limit } : {}),
          onError: () => this.faultCounter.fault('log'),
        });
      } catch (error) {
        this.fault('log', error);
      }
    }
    try {
      this.state = await StateStore.open({
        file: this.options.stateFile ?? this.layout.stateFile,
        clock: this.clock,
        warn: (problem) => this.log('warn', problem.message, { code: problem.code }),
      });
    } catch (error) {
      this.fault('state', error);
    }
    const delay = this.options.upload?.startDelayMs ?? DEFAULT_UPLOAD_START_DELAY_MS;
    this.uploadNotBefore = this.clock.now() + delay;
    if (this.dsn) {
      // What an earlier run left in the outbox is sent a little later, so start-up never loads Sentry.
      this.uploadStartTimer = this.clock.setTimeout(() => void this.drainLeftovers(), delay);
    }
    this.metricsReporter.start();
    this.log('info', 'diagnostics started', { logDir: this.logDir, dataDir: this.dataDir, upload: this.dsn ? 'sentry' : 'local only' });
  }

  /** A malformed `dsn` option is the caller's error (thrown by open); one from the environment only disables upload. */
  private resolveDsnSafely(): string | undefined {
    const dsn = resolveDsn(this.options.dsn, this.env);
    if (!dsn) return undefined;
    try {
      parseDsn(dsn);
      return dsn;
    } catch (error) {
      this.fault('upload', error);
      return undefined;
    }
  }

  private async drainLeftovers(): Promise<void> {
    try {
      const { pendingItems } = await import('../upload/enqueue.js');
      if ((await pendingItems(this.layout.outboxDir, this.clock)).length === 0) return;
      (await this.getUploader())?.start();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.fault('upload', error);
    }
  }

  private getUploader(): Promise<Uploader | undefined> {
    if (!this.dsn) return Promise.resolve(undefined);
    this.uploader ??= import('../upload/uploader.js')
      .then(({ Uploader }) => {
        const uploader = new Uploader({
          outboxDir: this.layout.outboxDir,
          dsn: this.dsn!,
          clock: this.clock,
          // A crash during start-up is queued at once but sent after the start delay: the first send
          // imports @sentry/node, which must stay off the app's start-up path.
          notBefore: this.uploadNotBefore,
          ...(this.options.transport ? { transport: this.options.transport } : {}),
          ...(this.options.random ? { random: this.options.random } : {}),
          ...(this.options.upload?.requestTimeoutMs ? { requestTimeoutMs: this.options.upload.requestTimeoutMs } : {}),
          log: (level, message, fields) => this.log(level, message, fields),
          onDrain: (result) => this.events.emit('upload', { type: 'drained', ...result }),
        });
        return uploader;
      })
      .catch((error: unknown) => {
        // A malformed DSN from the environment: keep bundles local rather than fail the app.
        this.fault('upload', error);
        this.dsn = undefined;
        return undefined;
      });
    return this.uploader;
  }

  // ---- incidents ------------------------------------------------------------------------------

  private async processIncident(input: unknown): Promise<IncidentOutcome> {
    const parsed = parseIncident(input);
    if (!parsed.ok) {
      this.malformed('incident', `incident dropped: ${parsed.error}`);
      return { status: 'dropped', reason: 'malformed', error: parsed.error };
    }
    const now = this.clock.now();
    const incident = { ...parsed.incident };
    incident.occurredAt ??= new Date(now).toISOString();
    if (this.options.app) incident.appVersion ??= this.options.app.version;
    if (!shouldCapture(incident, this.capture)) {
      this.log('debug', `incident ignored by policy: ${incident.kind}`);
      return { status: 'ignored', reason: 'policy' };
    }
    const fingerprint = fingerprintIncident(incident, { homedir: this.homedir });
    const decision = this.limiter.admit(fingerprint.fingerprint, now);
    this.guard('state', () => this.state?.recordIncident(fingerprint.fingerprint, now, { suppressed: !decision.bundle }));
    try {
      await this.journal.append(this.journal.recordFor(incident, fingerprint, decision));
    } catch (error) {
      this.fault('journal', error);
    }
    this.log(decision.bundle ? 'error' : 'warn', fingerprint.title, { fingerprint: fingerprint.fingerprint, kind: incident.kind, bundled: decision.bundle });
    this.events.emit('incident', {
      incident,
      fingerprint: fingerprint.fingerprint,
      components: fingerprint.components,
      title: fingerprint.title,
      bundled: decision.bundle,
      suppressedSinceLast: decision.suppressedSinceLast,
    });
    if (!decision.bundle) return { status: 'suppressed', fingerprint: fingerprint.fingerprint, suppressedSinceLast: decision.suppressedSinceLast };
    if (this.options.bundle?.enabled === false) return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle: null, queued: false };

    let bundle: BundleEvent;
    try {
      bundle = await this.bundles.write(incident, fingerprint, decision.suppressedSinceLast);
      this.log('info', 'bundle written', { path: bundle.path, bytes: bundle.bytes, fingerprint: bundle.fingerprint });
    } catch (error) {
      this.fault('bundle', error);
      return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle: null, queued: false, error: oneLine(error) };
    }
    this.events.emit('bundle', bundle);
    let queued = false;
    try {
      const uploader = await this.getUploader();
      if (uploader) {
        const item = await uploader.enqueue(bundle.path);
        queued = true;
        this.events.emit('upload', { type: 'queued', eventId: item.eventId, bundlePath: bundle.path, fingerprint: bundle.fingerprint });
      }
    } catch (error) {
      this.fault('upload', error);
    }
    return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle, queued };
  }

  // ---- Electron port --------------------------------------------------------------------------

  private electronPort(options: ParsedOptions): ElectronPort {
    const recovery: RecoveryPolicy = { ...defaultRecoveryPolicy, ...definedOnly(options.recovery ?? {}) };
    const unresponsive: UnresponsiveOptions = { ...defaultUnresponsiveOptions, ...definedOnly(options.unresponsive ?? {}) };
    return {
      clock: this.clock,
      recovery,
      unresponsive,
      quitFlushTimeoutMs: this.closeTimeoutMs,
      recordIncident: (incident) => this.recordIncident(incident),
      recordRecoveryAttempt: (attempt) => {
        this.guard('state', () => this.state?.recordRecoveryAttempt(attempt.at));
        this.log('warn', 'renderer reload', { ...attempt });
      },
      recoveryReset: () => this.guard('state', () => this.state?.resetRecoveryAttempts()),
      recoveryGaveUp: (info) => this.log('error', 'renderer recovery gave up', { ...info }),
      rendererGone: (id) => {
        this.gate.markNotReady(id);
        this.watchdog.forget(id);
      },
      rendererDestroyed: (id) => {
        this.gate.forget(id);
        this.watchdog.forget(id);
        this.renderers.delete(id);
      },
      registerRenderer: (id, renderer) => {
        const previous = this.renderers.get(id);
        if (previous && previous !== renderer) {
          this.log('warn', 'renderer attached again: the earlier attachment is detached', { webContentsId: id });
          this.guard('electron:reattach', () => previous.detach?.());
        }
        this.renderers.set(id, renderer);
        return () => {
          if (this.renderers.get(id) === renderer) this.renderers.delete(id);
        };
      },
      markQuitting: () => {
        this.quitting = true;
      },
      // close() is the flush on quit: a window that crashes after it is not reloaded either.
      isQuitting: () => this.quitting || this.closing,
      close: (o) => this.close(o),
      reportFault: (where, error) => this.fault(where, error),
      reportMalformed: (where, detail) => this.malformed(where, `${where}: malformed payload: ${detail}`),
    };
  }

  private deliverEdge(fallback: DeliverFn | undefined): DeliverFn {
    return (id, channel, payload) => {
      const renderer = this.renderers.get(id);
      if (renderer) return renderer.send(channel, payload);
      if (fallback) return fallback(id, channel, payload);
      throw new Error(`no renderer ${id} is attached (attachToWindow) and no deliver option was given`);
    };
  }

  private describeRenderer(id: number): { url?: string; windowId?: number } {
    try {
      return this.renderers.get(id)?.describe() ?? {};
    } catch (error) {
      this.fault('electron:describe', error);
      return {};
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: unknown;
    const timeout = new Promise<undefined>((resolve) => {
      timer = this.clock.setTimeout(() => resolve(undefined), ms);
    });
    return Promise.race([promise, timeout]).finally(() => this.clock.clearTimeout(timer));
  }

  private guard(area: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fault(area, error);
    }
  }

  private fault(area: string, error: unknown, fields?: Record<string, unknown>): void {
    this.faultCounter.fault(area);
    this.log('error', `diagnostics fault in ${area}: ${oneLine(error)}`, fields);
  }

  /** Bad input from the host: counted and logged as a warning, never thrown. */
  private malformed(area: string, message: string): void {
    this.faultCounter.malformedInput(area);
    this.log('warn', message);
  }

  private log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    try {
      this.logger?.logger[level]({ source: 'codex-diag', ...fields }, message);
    } catch {
      // Logging must never be the fault that reaches the app.
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What startSidecar returns when it did not start anything (after close, or a malformed spec). */
function inertSidecarHandle(): SidecarHandle {
  return { pid: undefined, state: 'stopped', child: undefined, stop: () => Promise.resolve(), resume: () => false };
}
