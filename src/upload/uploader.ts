import { clampTimerDelay, MAX_TIMER_MS, systemClock, type Clock } from '../clock.js';
import { onceUntilFailure } from '../runtime/once-until-failure.js';
import { oneLine } from '../errors.js';
import { drainOutbox, type DrainOptions, type DrainResult } from './drain.js';
import { parseDsn, type ParsedDsn } from './dsn.js';
import { enqueueBundle, pendingItems, type EnqueueResult } from './enqueue.js';
import type { OutboxItemMeta, OutboxLog } from './outbox-store.js';
import { loadSentry, type SentryModules } from './sentry-client.js';
import type { Redactor } from '../bundle/redactor.js';
import { defaultOutboundRedactor } from './outbound-redaction.js';

export interface UploaderOptions
  extends Pick<DrainOptions, 'transport' | 'random' | 'backoff' | 'bounds' | 'repack' | 'requestTimeoutMs' | 'maxEventBytes' | 'maxRequestBytes' | 'lockStaleMs' | 'scrubMinidump'> {
  outboxDir: string;
  /** Without a DSN bundles stay local: enqueue works, nothing is sent. A malformed one throws BAD_DSN here. */
  dsn?: string;
  clock?: Clock;
  log?: OutboxLog;
  /** Called after every drain that tried something (the embedding's `upload` event). */
  onDrain?: (result: DrainResult) => void;
  /** A fault inside the uploader: the embedding counts and logs it (`diag.faults`); without it the uploader logs it. */
  onFault?: (error: unknown) => void;
  /** Imports Sentry (default: `loadSentry`); called at most once per uploader unless it fails. */
  loadSentry?: () => Promise<SentryModules>;
  /**
   * Makes the redactor what is sent passes (default: one for this process's user); called at most once
   * per uploader unless it fails, since compiling the rules holds the host's thread for a while.
   */
  outboundRedactor?: () => Promise<Redactor>;
  /**
   * Epoch ms before which no background drain starts (after `start` or `enqueue`): the first send
   * imports @sentry/node (about half a second), which must stay off the host app's start-up path.
   * An explicit `drain()` or `close()` is not held back.
   */
  notBefore?: number;
  /** Budget of a background drain (default 60 s): a stuck server never pins a drain for long. */
  backgroundDeadlineMs?: number;
}

export interface UploaderStats {
  drains: number;
  sent: number;
  failed: number;
  evicted: number;
  /** Faults inside the uploader itself (logged, never thrown into the host). */
  errors: number;
}

/**
 * The outbox as a long-lived embedding owns it: drains at start-up, after each enqueue, and when
 * the earliest retry falls due; one drain at a time in this process (and the lock across processes);
 * `close` is a bounded final flush. Background faults are logged and counted, never thrown.
 */
export class Uploader {
  readonly dsn: ParsedDsn | undefined;
  readonly stats: UploaderStats = { drains: 0, sent: 0, failed: 0, evicted: 0, errors: 0 };
  private readonly clock: Clock;
  private readonly log: OutboxLog;
  /** Drains run one after another on this chain (the lock handles other processes). */
  private chain: Promise<unknown> = Promise.resolve();
  /** A background drain queued but not started yet: later kicks join it instead of queueing more. */
  private pendingKick: Promise<DrainResult | undefined> | undefined;
  private controller: AbortController | undefined;
  private timer: unknown;
  /** Waits out `notBefore`. */
  private holdTimer: unknown;
  private closed = false;
  /** Imports Sentry once for this uploader, when a drain first sends; a failed import is tried again next time. */
  private readonly loadSentry = onceUntilFailure(() => (this.options.loadSentry ?? loadSentry)());
  /** The redactor of what is sent, made on the first send and kept; a failure is tried again next time. */
  private readonly outboundRedactor = onceUntilFailure(() => (this.options.outboundRedactor ?? defaultOutboundRedactor)());

  constructor(private readonly options: UploaderOptions) {
    this.dsn = options.dsn ? parseDsn(options.dsn) : undefined;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => undefined);
  }

  /** Drains what an earlier run left behind. Never rejects. */
  start(): void {
    this.kick();
  }

  /** Queues a bundle (durably, before any network I/O) and starts a drain in the background. */
  async enqueue(bundlePath: string, meta: OutboxItemMeta = {}): Promise<EnqueueResult> {
    const queued = await enqueueBundle({ outboxDir: this.options.outboxDir, bundlePath, ...meta, clock: this.clock, log: this.log });
    this.kick();
    return queued;
  }

  /** One drain now, after any running one. Rejects only on a local fault. */
  drain(options: { deadlineMs?: number; force?: boolean } = {}): Promise<DrainResult> {
    const run = this.chain
      .catch(() => undefined)
      .then(() => this.runDrain(options.deadlineMs ?? this.options.backgroundDeadlineMs ?? 60_000, options.force ?? false));
    this.chain = run;
    return run;
  }

  /**
   * Bounded flush on quit: stops timers, gives a running drain half the budget, then aborts its
   * request, makes one last attempt with what is left, and resolves within `timeoutMs` whatever
   * the network does.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<DrainResult | undefined> {
    const budget = options.timeoutMs ?? 2_000;
    const startedAt = this.clock.now();
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.holdTimer !== undefined) this.clock.clearTimeout(this.holdTimer);
    const running = this.chain.catch(() => undefined);
    const work = (async () => {
      await Promise.race([running, this.delay(Math.max(budget / 2, 1))]);
      this.controller?.abort();
      await running;
      const left = budget - (this.clock.now() - startedAt);
      if (!this.dsn || left <= 50) return undefined;
      return this.runDrain(left - 25, false, true);
    })().catch((error: unknown) => {
      this.fault(error);
      return undefined;
    });
    const result = await Promise.race([work, this.delay(budget).then(() => undefined)]);
    this.controller?.abort();
    return result;
  }

  private kick(): void {
    if (this.closed || !this.dsn || this.pendingKick) return;
    const holdFor = (this.options.notBefore ?? 0) - this.clock.now();
    if (holdFor > 0) {
      this.holdTimer ??= this.clock.setTimeout(() => {
        this.holdTimer = undefined;
        this.kick();
      }, clampTimerDelay(holdFor));
      return;
    }
    const run = this.chain
      .catch(() => undefined)
      .then(() => {
        this.pendingKick = undefined;
        return this.runDrain(this.options.backgroundDeadlineMs ?? 60_000, false);
      });
    this.pendingKick = run;
    this.chain = run;
    run.catch((error: unknown) => this.fault(error));
  }

  private async runDrain(deadlineMs: number, force: boolean, final = false): Promise<DrainResult> {
    const dsn = this.dsn;
    if (!dsn || (this.closed && !final)) {
      const pending = (await pendingItems(this.options.outboxDir, this.clock)).length;
      return { sent: 0, failed: 0, pending, evicted: 0, locked: false, rateLimitedUntil: null, results: [] };
    }
    const controller = new AbortController();
    this.controller = controller;
    const { outboxDir, dsn: _dsn, clock: _clock, log: _log, onDrain: _onDrain, onFault: _onFault, backgroundDeadlineMs: _b, loadSentry: _load, outboundRedactor: _redactor, notBefore: _nb, ...rest } = this.options;
    const result = await drainOutbox({
      ...rest,
      outboxDir,
      dsn,
      clock: this.clock,
      log: this.log,
      deadlineMs,
      force,
      signal: controller.signal,
      loadSentry: () => this.loadSentry(),
      outboundRedactor: () => this.outboundRedactor(),
      onFault: (message) => this.fault(new Error(message)),
    });
    this.stats.drains++;
    this.stats.sent += result.sent;
    this.stats.failed += result.failed;
    this.stats.evicted += result.evicted;
    if (result.results.length > 0 || result.failed > 0) {
      try {
        this.options.onDrain?.(result);
      } catch (error) {
        this.fault(error);
      }
    }
    this.scheduleNext(result);
    return result;
  }

  /** Sets one timer for the earliest retry that falls due (rate limit or backoff). */
  private scheduleNext(result: DrainResult): void {
    if (this.closed || result.locked) return;
    const times = result.results.filter((r) => r.outcome !== 'sent' && r.outcome !== 'failed').map((r) => r.nextAttemptAt ?? 0);
    const sessionsDue = result.sessions?.rateLimitedUntil ?? result.sessions?.retryAt;
    if (sessionsDue) times.push(sessionsDue);
    if (times.length === 0) return;
    const due = Math.max(Math.min(...times) - this.clock.now(), 1_000);
    // Rate limits are capped well below the timer maximum; a due time past it comes from a damaged
    // record. Either way the timer waits at most MAX_TIMER_MS and the drain then looks again.
    if (!(due <= MAX_TIMER_MS)) this.fault(new Error(`next upload attempt ${Number.isFinite(due) ? `${Math.round(due / 86_400_000)} days` : 'never'} away: waiting ${Math.round(MAX_TIMER_MS / 86_400_000)} days, then looking again`));
    const delay = clampTimerDelay(due);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delay);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, clampTimerDelay(ms)));
  }

  /** Counted and reported (by the embedding when it counts faults, else here), never thrown. */
  private fault(error: unknown): void {
    this.stats.errors++;
    if (!this.options.onFault) {
      this.log('error', `upload: ${oneLine(error)}`);
      return;
    }
    try {
      this.options.onFault(error);
    } catch {
      // The host's counter failing must not fail the uploader.
    }
  }
}
