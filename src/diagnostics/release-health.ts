import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { sentryLevelFor } from '../incidents/sentry-level.js';
import type { Incident } from '../incidents/schema.js';
import type { SessionRecord } from '../state/schemas.js';
import type { InstallIdSource } from '../upload/install-id.js';
import { SessionOutbox } from '../upload/session-outbox.js';
import { sessionUpdate } from '../upload/session-update.js';
import { readLegacyReleaseHealth, removeLegacyReleaseHealth, type LegacyReleaseHealth } from './legacy-release-health.js';
import type { ServiceReporter } from './service-reporter.js';

/** Where the session marker lives: the state store (its `session`), written through at once. */
export interface SessionMarkerStore {
  session(): SessionRecord | null;
  recordSession(session: SessionRecord): void;
  flush(): Promise<void>;
  /** Set while the store cannot write: the marker is then not on disk. */
  readonly lastError: unknown;
  readonly mode: 'read-write' | 'read-only';
}

/**
 * Relay drops a session update whose `started` is more than 5 days old (getsentry/relay,
 * relay-server/src/services/processor/session.rs `is_valid_session_timestamp`, applied to `started`
 * and `timestamp`; relay-config `max_session_secs_in_past`). A run that lasts longer would lose its
 * final update, crash included: its session ends `exited` after 4 days (a day's margin for an update
 * waiting in the outbox) and a new one begins.
 */
export const MAX_SESSION_SPAN_MS = 4 * 24 * 60 * 60 * 1000;

export interface ReleaseHealthOptions {
  dataDir: string;
  outboxDir: string;
  clock: Clock;
  release: string;
  environment: string;
  reporter: ServiceReporter;
  /** The state store; without one (it could not open) the session is kept in memory only. */
  state: SessionMarkerStore | undefined;
  /** The data dir's one install id: Sentry's `did`, to count crash-free users without knowing who. */
  installId: InstallIdSource;
  /** Called after an update was queued, so the uploader can send it. */
  onQueued?: () => void;
  /** Reads the pre-v4 release-health.json (default: reads it here; the service shares its one read with the install id). */
  legacy?: () => Promise<LegacyReleaseHealth | undefined>;
}

/**
 * One Sentry session per app run (https://develop.sentry.dev/sdk/telemetry/sessions/), through the
 * outbox: `init` at start, `crashed` after a fatal incident, `exited` on a clean close, and on
 * the next start `abnormal` for a run that ended without either (the state's session marker still
 * says `ok`: killed, powered off, a main-process crash). Errors (incidents at level error or
 * fatal) are counted into the session. Every failure is a counted fault; the app goes on.
 */
export class ReleaseHealth {
  private readonly outbox: SessionOutbox;
  private run: SessionRecord | undefined;
  private did: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private rotation: unknown;
  private closed = false;

  constructor(private readonly options: ReleaseHealthOptions) {
    this.outbox = new SessionOutbox(options.outboxDir);
  }

  /**
   * Ends a previous run left open as `abnormal`, then starts this run's session. `runStartedAt` is
   * when the app created the service (default now): the session starts then, not when the state
   * and the files below have been read.
   */
  start(runStartedAt?: number): Promise<void> {
    const now = runStartedAt ?? this.options.clock.now();
    return this.serial(async () => {
      const { state, installId } = this.options;
      // Relay drops every session whose release it refuses; none is better than a marker state cannot save.
      if (this.options.release === '') throw new Error('no release: sessions are not sent');
      this.did = await installId.get().catch((error: unknown) => {
        this.options.reporter.fault('sessions', error);
        return undefined;
      });
      const legacy = await (this.options.legacy ?? (() => readLegacyReleaseHealth(this.options.dataDir)))();
      const previous = state?.session() ?? legacy?.session ?? null;
      if (previous && previous.status === 'ok') {
        // Its `init` may still be pending too: the outbox keeps it marked init.
        await this.queue({ ...previous, status: 'abnormal', seq: previous.seq + 1 }, false, now);
      }
      await this.begin(now);
      if (legacy && state && state.mode === 'read-write' && state.lastError === undefined) await removeLegacyReleaseHealth(this.options.dataDir);
    });
  }

  /** A new session for this run: marker first, then its `init` update; the next rotation scheduled. */
  private async begin(now: number): Promise<void> {
    this.run = {
      sid: randomUUID(),
      seq: 0,
      started_at_ms: now,
      status: 'ok',
      errors: 0,
      release: this.options.release,
      environment: this.options.environment,
    };
    // Durable before the first update is queued: a run that dies now is found on the next start.
    await this.saveMarker(true);
    await this.queue(this.run, true, now);
    this.options.onQueued?.();
    if (!this.closed) this.rotation = this.options.clock.setTimeout(() => void this.rotate(), MAX_SESSION_SPAN_MS);
  }

  /** A run still open after MAX_SESSION_SPAN_MS: its session ends `exited` and a new one begins. */
  private rotate(): Promise<void> {
    this.rotation = undefined;
    return this.serial(async () => {
      const run = this.run;
      if (this.closed || !run || run.status !== 'ok') return;
      const now = this.options.clock.now();
      run.status = 'exited';
      run.seq++;
      await this.saveMarker(true);
      await this.queue(run, false, now);
      await this.begin(now);
    });
  }

  /** A captured incident: an error counts into the session; a fatal one ends it as `crashed`. */
  incident(incident: Incident): Promise<void> {
    const level = sentryLevelFor(incident);
    if (level !== 'fatal' && level !== 'error') return Promise.resolve();
    return this.serial(async () => {
      const run = this.run;
      if (!run || run.status !== 'ok') return;
      run.errors++;
      if (level !== 'fatal') {
        // The count rides on the next save; it matters only if the run ends abnormally.
        await this.saveMarker(false);
        return;
      }
      run.status = 'crashed';
      run.seq++;
      await this.saveMarker(true);
      await this.queue(run, false, this.options.clock.now());
      this.options.onQueued?.();
    });
  }

  /** A clean close: the session `exited` (unless it already crashed). */
  close(): Promise<void> {
    this.closed = true;
    if (this.rotation !== undefined) this.options.clock.clearTimeout(this.rotation);
    this.rotation = undefined;
    return this.serial(async () => {
      const run = this.run;
      if (!run || run.status !== 'ok') return;
      run.status = 'exited';
      run.seq++;
      await this.saveMarker(true);
      await this.queue(run, false, this.options.clock.now());
      await this.outbox.idle();
    });
  }

  private async queue(session: SessionRecord, init: boolean, now: number): Promise<void> {
    const update = sessionUpdate(
      {
        sid: session.sid,
        seq: session.seq,
        startedAtMs: session.started_at_ms,
        release: session.release,
        ...(session.environment ? { environment: session.environment } : {}),
        ...(this.did ? { did: this.did } : {}),
        errors: session.errors,
        status: session.status,
      },
      init,
      now,
    );
    await this.outbox.put(update, now);
  }

  private async saveMarker(now: boolean): Promise<void> {
    const { state } = this.options;
    if (!state || !this.run) return;
    state.recordSession(this.run);
    if (now) await state.flush();
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => this.options.reporter.fault('sessions', error));
    this.chain = next;
    return next;
  }
}
