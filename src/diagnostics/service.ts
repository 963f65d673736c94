import os from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import { oneLine } from '../errors.js';
import { CrashLoopLimiter } from '../incidents/crash-loop-limiter.js';
import type { IncidentJournal } from '../incidents/journal.js';
import { dataLayout, defaultDataDir, defaultLogDir } from '../paths.js';
import type { SendOptions } from '../runtime/delivery-classify.js';
import type { DeliveryStats, SendResult } from '../runtime/delivery-types.js';
import type { CrashDumpStats } from '../minidump/native-crash-ledger.js';
import { HeartbeatWatchdog } from '../runtime/heartbeat-watchdog.js';
import { ReadyGate } from '../runtime/ready-gate.js';
import type { SidecarHandle, SidecarStartOptions } from '../runtime/sidecar-types.js';
import { parseDsn } from '../upload/dsn.js';
import type { BundleRunner } from '../bundle/bundle-runner.js';
import { bindElectronPort } from './electron-port-binding.js';
import { ELECTRON_PORT, type ElectronPort } from './electron-port.js';
import { EventHub } from './event-hub.js';
import { IncidentBundleWriter } from './incident-bundle-writer.js';
import { BudgetLink } from './budget-link.js';
import { IncidentPipeline } from './incident-pipeline.js';
import { parseDiagnosticsOptions, type DiagnosticsOptions } from './options.js';
import { RendererRegistry } from './renderer-registry.js';
import { closeBudget, closeService } from './service-close.js';
import { ServiceMetrics } from './service-metrics.js';
import { ServiceReporter } from './service-reporter.js';
import { openLogThenState } from './service-start.js';
import { inertSidecarHandle, ServiceSidecars } from './sidecars.js';
import { StateLink } from './state-link.js';
import type {
  CloseResult,
  Diagnostics,
  DiagnosticsEventName,
  DiagnosticsEvents,
  DiagnosticsMetrics,
  FaultReport,
  IncidentOutcome,
} from './types.js';
import { UploadLink } from './upload-link.js';
import { InstallIdSource } from '../upload/install-id.js';
import { readLegacyReleaseHealth } from './legacy-release-health.js';
import { onceUntilFailure } from '../runtime/once-until-failure.js';
import { NativeCrashLink } from './native-crash-link.js';
import { ReleaseHealth } from './release-health.js';
import { nodeSystemSource } from '../bundle/system-info.js';
import { releaseName, resolveEnvironment } from '../upload/ingest-limits.js';

type ParsedOptions = DiagnosticsOptions;

/** Edges that are not options of the public API: tests and benches choose where bundles are built. */
export interface ServiceEdges {
  bundleRunner?: BundleRunner;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;
const DEFAULT_UPLOAD_START_DELAY_MS = 5_000;

/**
 * The one object a desktop main process holds. It builds and owns the pieces (incident pipeline,
 * bundle writer, upload link, ready-gated delivery, renderer registry, sidecars, metrics) and
 * guards every public call: a fault inside is logged and counted (`faults`), never thrown into the app.
 */
export class DiagnosticsService implements Diagnostics {
  readonly logDir: string;
  readonly dataDir: string;
  readonly metrics: DiagnosticsMetrics;
  readonly [ELECTRON_PORT]: ElectronPort;

  private readonly clock: Clock;
  private readonly stateFile: string;
  private readonly closeTimeoutMs: number;
  private readonly reporter = new ServiceReporter();
  private readonly events: EventHub<DiagnosticsEvents>;
  private readonly gate: ReadyGate;
  private readonly watchdog: HeartbeatWatchdog;
  private readonly serviceMetrics: ServiceMetrics;
  private readonly renderers: RendererRegistry;
  private readonly sidecars: ServiceSidecars;
  private readonly uploads: UploadLink;
  /** The delivery budget; `heldBackThisRun()` gives a session its held-back counts. */
  readonly budget: BudgetLink;
  private readonly pipeline: IncidentPipeline;
  private readonly bundles: IncidentBundleWriter;
  /** Crashpad dumps: matched to incidents, main-process crashes found on start, the dir kept bounded. */
  readonly native: NativeCrashLink;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly stateLink: StateLink;
  /** Start-up (the log, then the state), running after open() has returned; never rejects. */
  private started: Promise<void> = Promise.resolve();
  private releaseHealth: ReleaseHealth | undefined;
  /** When the app created the service: the run's session starts then, though the state opens later. */
  private createdAt = 0;
  /** One id for the budget's sampling and release health's `did`. */
  private readonly installId: InstallIdSource;
  /** The pre-v4 release-health.json, read once for both the install id and release health. */
  private readonly legacyReleaseHealth = onceUntilFailure(() => readLegacyReleaseHealth(this.dataDir));
  private readonly release: string;
  private readonly environment: string;
  private closing = false;
  private closePromise: Promise<CloseResult> | undefined;

  private constructor(
    private readonly options: ParsedOptions,
    edges: ServiceEdges,
  ) {
    const reporter = this.reporter;
    this.clock = options.clock ?? systemClock;
    const env = options.env ?? process.env;
    const homedir = options.homedir ?? os.homedir();
    const pathEnv = { platform: process.platform, env, homedir };
    this.logDir = options.logDir ?? defaultLogDir(pathEnv);
    this.dataDir = options.dataDir ?? defaultDataDir(pathEnv);
    const layout = dataLayout(this.dataDir);
    this.stateFile = options.stateFile ?? layout.stateFile;
    const app = options.app ?? { name: 'Codex', version: '0.0.0' };
    // Events (through each bundle's system.json) and sessions carry the same release and environment.
    const environment = resolveEnvironment(options.environment, nodeSystemSource.versions.electron ? nodeSystemSource.defaultApp !== true : undefined);
    this.release = releaseName(app.name, app.version) ?? app.version;
    this.environment = environment;
    // The schema caps closeTimeoutMs at the largest timer delay.
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.stateLink = new StateLink(reporter, this.clock);
    let journal: Promise<IncidentJournal> | undefined;
    const state = () => this.stateLink.current();
    this.events = new EventHub<DiagnosticsEvents>((event, error) => reporter.fault(`listener:${String(event)}`, error));
    this.renderers = new RendererRegistry(reporter);
    this.gate = new ReadyGate({
      capacity: options.delivery?.capacity,
      deliver: this.renderers.deliverEdge(options.deliver),
      onFault: (error, id, channel) => reporter.fault('delivery', error, { webContentsId: id, channel }),
    });
    this.watchdog = new HeartbeatWatchdog({
      clock: this.clock,
      timeoutMs: options.heartbeat?.timeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      onMissed: (missed) => {
        const where = this.renderers.describe(missed.webContentsId);
        void this.recordIncident({ kind: 'unresponsive', source: 'heartbeat', durationMs: missed.silentForMs, webContentsId: missed.webContentsId, ...where });
      },
      onFault: (error) => reporter.fault('heartbeat', error),
    });
    this.serviceMetrics = new ServiceMetrics(this.clock, options.metrics?.windowMs, reporter);
    this.metrics = this.serviceMetrics.api;
    this.sidecars = new ServiceSidecars({
      clock: this.clock,
      ...(options.random ? { random: options.random } : {}),
      state: this.stateLink,
      reporter,
      onEvent: (event) => this.events.emit('sidecar', event),
      onIncident: (incident) => void this.recordIncident(incident),
    });
    this.uploads = new UploadLink({
      dsn: options.dsn,
      env,
      outboxDir: layout.outboxDir,
      clock: this.clock,
      startDelayMs: options.upload?.startDelayMs ?? DEFAULT_UPLOAD_START_DELAY_MS,
      ...(options.upload?.requestTimeoutMs ? { requestTimeoutMs: options.upload.requestTimeoutMs } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.random ? { random: options.random } : {}),
      reporter,
      onUploadEvent: (event) => this.events.emit('upload', event),
      // The outgoing minidump's re-scrub runs in the bundle worker: never on the host's main thread.
      scrubMinidump: (bytes, identity) => this.bundles.scrubMinidump(bytes, identity),
    });
    const { waitMs, ...crashDirBounds } = options.crashDumps ?? {};
    this.native = new NativeCrashLink({
      dataDir: this.dataDir,
      clock: this.clock,
      mode: options.minidumps ?? 'scrubbed',
      bounds: crashDirBounds,
      ...(waitMs !== undefined ? { waitMs } : {}),
      reporter,
      recordIncident: (incident) => this.recordIncident(incident),
      track: (task) => this.track(task),
    });
    this.bundles = new IncidentBundleWriter({
      logDir: this.logDir,
      bundlesDir: layout.bundlesDir,
      homedir,
      app: { ...app, environment },
      bounds: options.bundle ?? {},
      clock: this.clock,
      snapshotState: () => this.stateLink.current()?.snapshot() ?? null,
      metricsReport: () => this.serviceMetrics.report(),
      onLogReadFault: (error) => reporter.fault('logs', error),
      onWorkerFallback: (error) => reporter.fault('bundle-worker', error),
      ...(edges.bundleRunner ? { runner: edges.bundleRunner } : {}),
      nativeDump: (incident) => this.native.dumpFor(incident),
      onNativeBundled: (file) => this.native.bundled(file),
    });
    this.installId = InstallIdSource.inDataDir(this.dataDir, { adopt: async () => (await this.legacyReleaseHealth())?.installId });
    this.budget = new BudgetLink({ dataDir: this.dataDir, options: options.budget, clock: this.clock, reporter, installId: this.installId });
    this.pipeline = new IncidentPipeline({
      clock: this.clock,
      homedir,
      app: options.app,
      capture: options.capture ?? {},
      bundlesEnabled: options.bundle?.enabled !== false,
      limiter: new CrashLoopLimiter({ clock: this.clock, windowMs: options.crashLoop?.windowMs }),
      journal: () => (journal ??= import('../incidents/journal.js').then(({ IncidentJournal }) => IncidentJournal.inDataDir(this.dataDir, { clock: this.clock }))),
      ready: () => this.started,
      state,
      bundles: this.bundles,
      uploads: this.uploads,
      budget: this.budget,
      events: this.events,
      reporter,
      onCaptured: (incident) => this.track(this.releaseHealth?.incident(incident)),
    });
    this[ELECTRON_PORT] = bindElectronPort({
      clock: this.clock,
      recovery: options.recovery,
      unresponsive: options.unresponsive,
      closeTimeoutMs: this.closeTimeoutMs,
      gate: this.gate,
      watchdog: this.watchdog,
      renderers: this.renderers,
      state: this.stateLink,
      reporter,
      recordIncident: (incident) => this.recordIncident(incident),
      setCrashDir: (dir) => {
        if (!this.closing) this.native.setCrashDir(dir);
      },
      close: (o) => this.close(o),
      isClosing: () => this.closing,
    });
  }

  static async open(input: unknown, edges: ServiceEdges = {}): Promise<DiagnosticsService> {
    const options = parseDiagnosticsOptions(input);
    if (options.dsn !== undefined && options.dsn.trim() !== '') parseDsn(options.dsn);
    const service = new DiagnosticsService(options, edges);
    // The log and the state open after this returns: pino and the schema library load then, each in
    // its own turn of the event loop, off the caller's start-up.
    service.begin();
    service.started = service.openLogAndState();
    return service;
  }

  get faults(): FaultReport {
    return this.reporter.counter.report();
  }

  get crashDumps(): CrashDumpStats {
    return this.native.stats();
  }

  recordAppStarted(now?: number): void {
    if (this.closing) return; // the state store is closed or closing
    this.reporter.guard('state', () => this.stateLink.appStarted(now));
  }

  markRendererReady(webContentsId: number): number | null {
    if (this.closing) return null;
    let latency: number | null = null;
    this.reporter.guard('state', () => {
      latency = this.stateLink.rendererReady();
    });
    this.reporter.guard('delivery', () => {
      const flushed = this.gate.markReady(webContentsId);
      this.reporter.log('info', 'renderer ready', { webContentsId, latencyMs: latency, flushed });
    });
    return latency;
  }

  recordHeartbeat(webContentsId: number): void {
    if (this.closing) return; // a beat would re-arm a watchdog that close() disposed
    this.reporter.guard('heartbeat', () => {
      this.watchdog.beat(webContentsId);
      const now = this.clock.now();
      // Held until the state opens, only the latest beat: it records a time, not a count.
      this.stateLink.change('state', (store) => store.recordHeartbeat(now), 'heartbeat');
    });
  }

  send(webContentsId: number, channel: string, payload: unknown, options?: SendOptions): SendResult {
    // After close nothing would ever flush the queue: say so instead of queueing into the void.
    if (this.closing) return 'dropped';
    try {
      return this.gate.send(webContentsId, channel, payload, options);
    } catch (error) {
      this.reporter.fault('delivery', error);
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
    const task = this.pipeline.process(input).catch((error: unknown): IncidentOutcome => {
      this.reporter.fault('incident', error);
      return { status: 'dropped', reason: 'fault', error: oneLine(error) };
    });
    this.track(task);
    return task;
  }

  /** Work close() waits for (within its budget). */
  private track(task: Promise<unknown> | undefined): void {
    if (!task) return;
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
  }

  startSidecar(spec: SidecarStartOptions): SidecarHandle {
    // A child started after close would never be stopped and would keep the host process alive.
    if (this.closing) {
      this.reporter.fault('sidecar', new Error('startSidecar after close: not started'));
      return inertSidecarHandle();
    }
    return this.sidecars.start(spec);
  }

  close(options?: { timeoutMs?: number }): Promise<CloseResult> {
    if (this.closePromise) return this.closePromise;
    const budget = closeBudget(options, this.closeTimeoutMs, this.reporter);
    this.closing = true;
    this.closePromise = closeService(
      {
        clock: this.clock,
        reporter: this.reporter,
        stopTimers: () => {
          this.watchdog.dispose();
          this.serviceMetrics.stop();
          this.uploads.stopScheduling();
        },
        inflight: () => [this.started, ...this.inflight],
        bundles: this.bundles,
        uploads: this.uploads,
        // Decided when the session ends: release health starts with the state, possibly after close() was called.
        endSession: () => this.releaseHealth?.close() ?? Promise.resolve(),
        state: this.stateLink,
        sidecars: this.sidecars,
        budget: this.budget,
      },
      budget,
    );
    return this.closePromise;
  }

  /** What needs neither the log nor the state: started before open() returns. */
  private begin(): void {
    this.createdAt = this.clock.now();
    this.uploads.start();
    this.serviceMetrics.start();
    // Not awaited: reading the crash dir is no part of start-up.
    if (this.options.crashDir) this.native.setCrashDir(this.options.crashDir);
  }

  /** One Sentry session per run; its marker lives in the state, so it starts once the state has opened. */
  private startReleaseHealth(): void {
    if (this.closing || !this.uploads.enabled || this.options.sessions === false) return;
    this.releaseHealth = new ReleaseHealth({
      dataDir: this.dataDir,
      outboxDir: dataLayout(this.dataDir).outboxDir,
      clock: this.clock,
      release: this.release,
      environment: this.environment,
      reporter: this.reporter,
      state: this.stateLink.current(),
      installId: this.installId,
      onQueued: () => this.uploads.kick(),
      legacy: this.legacyReleaseHealth,
    });
    // A few small files; tracked so close() waits for them, never awaited on the start path.
    this.track(this.releaseHealth.start(this.createdAt));
  }

  /** The log, then the state (see openLogThenState); then this run's session, whose marker is in the state. */
  private async openLogAndState(): Promise<void> {
    await openLogThenState({
      logDir: this.logDir,
      log: this.options.log,
      stateFile: this.stateFile,
      clock: this.clock,
      closeTimeoutMs: this.closeTimeoutMs,
      reporter: this.reporter,
      stateLink: this.stateLink,
    });
    // Without a state the session is kept in memory: the run is still counted.
    this.startReleaseHealth();
    this.reporter.log('info', 'diagnostics started', { logDir: this.logDir, dataDir: this.dataDir, upload: this.uploads.enabled ? 'sentry' : 'local only' });
  }
}
