import type { HasElectronPort } from './electron-port.js';
import type { SendOptions } from '../runtime/delivery-classify.js';
import type { DeliveryStats, SendResult } from '../runtime/delivery-types.js';
import type { MetricsReport } from '../runtime/rolling-metrics.js';
import type { CrashDumpStats } from '../minidump/native-crash-ledger.js';
import type { SidecarEvent, SidecarHandle, SidecarStartOptions } from '../runtime/sidecar-types.js';
import type { DrainResult } from '../upload/drain.js';

/** What `bundle` listeners receive. */
export interface BundleEvent {
  path: string;
  bytes: number;
  sha256: string;
  bundleId: string;
  fingerprint: string;
  title: string;
  lines: number;
  /** Incidents of this fingerprint the crash-loop limiter suppressed before this one. */
  suppressedCount: number;
}

/** What `incident` listeners receive: the incident as captured, its fingerprint, and what happens next. */
export interface IncidentEvent {
  incident: Record<string, unknown>;
  fingerprint: string;
  components: string[];
  title: string;
  /** False when the crash-loop limiter suppressed it (counted, carried into the next bundle). */
  bundled: boolean;
  suppressedSinceLast: number;
}

export type UploadEvent =
  | { type: 'queued'; eventId: string; bundlePath: string; fingerprint: string }
  | ({ type: 'drained' } & DrainResult);

export interface DiagnosticsEvents {
  incident: IncidentEvent;
  bundle: BundleEvent;
  upload: UploadEvent;
  sidecar: SidecarEvent;
}

export type DiagnosticsEventName = keyof DiagnosticsEvents;

/** How `recordIncident` ended. It never rejects. */
export type IncidentOutcome =
  | { status: 'dropped'; reason: 'malformed' | 'closed' | 'fault'; error?: string }
  | { status: 'ignored'; reason: 'policy' }
  | { status: 'suppressed'; fingerprint: string; suppressedSinceLast: number }
  /** Not sent by the delivery budget: counted (`heldBack` waiting for this fingerprint) and carried into its next event. */
  | { status: 'held-back'; fingerprint: string; reason: 'sampled' | 'fingerprint-budget' | 'run-cap'; heldBack: number }
  | { status: 'recorded'; fingerprint: string; bundle: BundleEvent | null; queued: boolean; error?: string };

export interface FaultReport {
  /** Everything counted: faults inside diagnostics (caught, logged, never thrown into the app) and malformed inputs. */
  total: number;
  /** Event payloads or incidents of the wrong shape (counted drops). */
  malformed: number;
  /** Per area, e.g. `electron:render-process-gone`, `bundle`, `upload`. */
  byArea: Record<string, number>;
}

export interface CloseResult {
  /** False when the budget ran out before everything was flushed. */
  completed: boolean;
  elapsedMs: number;
}

export interface DiagnosticsMetrics {
  record(method: string, durationMs: number, ok: boolean): void;
  report(): MetricsReport;
}

/** The object `createDiagnostics` returns (contract: Embed API). */
export interface Diagnostics extends HasElectronPort {
  readonly logDir: string;
  readonly dataDir: string;
  /** startup.app_started_at_ms (now unless given). */
  recordAppStarted(now?: number): void;
  /** Records renderer-ready latency (first ready of this launch) and flushes that renderer's gated messages. */
  markRendererReady(webContentsId: number): number | null;
  /** A renderer heartbeat; silence past `heartbeat.timeoutMs` after one becomes an `unresponsive` incident. */
  recordHeartbeat(webContentsId: number): void;
  /** Anything the app detects itself. Resolves whatever the payload; never rejects. */
  recordIncident(incident: unknown): Promise<IncidentOutcome>;
  /** Ready-gated, backpressure-aware delivery to a renderer. */
  send(webContentsId: number, channel: string, payload: unknown, options?: SendOptions): SendResult;
  /** Returns a function that removes the listener. */
  on<E extends DiagnosticsEventName>(event: E, listener: (value: DiagnosticsEvents[E]) => void): () => void;
  off<E extends DiagnosticsEventName>(event: E, listener: (value: DiagnosticsEvents[E]) => void): void;
  /** Supervises the app-server sidecar; its exits become incidents, its events `sidecar` events. */
  startSidecar(options: SidecarStartOptions): SidecarHandle;
  readonly metrics: DiagnosticsMetrics;
  readonly faults: FaultReport;
  /** Crash dumps deleted from the crash dumps dir (by reason: bundled, age, count, bytes) and bundled, across runs. */
  readonly crashDumps: CrashDumpStats;
  deliveryStats(): DeliveryStats;
  /** Bounded flush: resolves within `timeoutMs` (default `closeTimeoutMs`) whatever the disk or network does. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}
