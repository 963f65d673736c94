import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { sentryLevelFor } from '../incidents/sentry-level.js';
import type { Incident } from '../incidents/schema.js';
import { SessionOutbox } from '../upload/session-outbox.js';
import { sessionUpdate, type SessionState } from '../upload/session-update.js';
import type { ServiceReporter } from './service-reporter.js';

/** The marker beside the state file: the install id and this run's session. */
export const RELEASE_HEALTH_FILE = 'release-health.json';

interface Marker {
  version: 1;
  /** Random, made once per data dir: Sentry's `did`, to count crash-free users without knowing who. */
  install_id: string;
  /** The session of the run that wrote it; `status: ok` means that run has not ended (yet). */
  run: SessionState | null;
}

export interface ReleaseHealthOptions {
  dataDir: string;
  outboxDir: string;
  clock: Clock;
  release: string;
  environment: string;
  reporter: ServiceReporter;
  /** Called after an update was queued, so the uploader can send it. */
  onQueued?: () => void;
}

/**
 * One Sentry session per app run (https://develop.sentry.dev/sdk/telemetry/sessions/), through the
 * outbox: `init` at start, `crashed` after a fatal incident, `exited` on a clean close, and on
 * the next start `abnormal` for a run that ended without either (the marker still says `ok`:
 * killed, powered off, a main-process crash). Errors (incidents at level error or fatal) are
 * counted into the session. Every failure is a counted fault; the app goes on.
 */
export class ReleaseHealth {
  private readonly writer = new AtomicWriter();
  private readonly outbox: SessionOutbox;
  private marker: Marker | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReleaseHealthOptions) {
    this.outbox = new SessionOutbox(options.outboxDir);
  }

  private get file(): string {
    return path.join(this.options.dataDir, RELEASE_HEALTH_FILE);
  }

  /** Ends a previous run left open as `abnormal`, then starts this run's session. */
  start(): Promise<void> {
    return this.serial(async () => {
      const now = this.options.clock.now();
      const previous = await this.readMarker();
      const installId = previous?.install_id ?? randomUUID();
      if (previous?.run && previous.run.status === 'ok') {
        // Its `init` may still be pending too: the outbox keeps it marked init.
        await this.outbox.put(sessionUpdate({ ...previous.run, status: 'abnormal' }, false, now), now);
      }
      const run: SessionState = {
        sid: randomUUID(),
        did: installId,
        startedAtMs: now,
        release: this.options.release,
        environment: this.options.environment,
        errors: 0,
        status: 'ok',
      };
      this.marker = { version: 1, install_id: installId, run };
      await this.writeMarker();
      await this.outbox.put(sessionUpdate(run, true, now), now);
      this.options.onQueued?.();
    });
  }

  /** A captured incident: an error counts into the session; a fatal one ends it as `crashed`. */
  incident(incident: Incident): Promise<void> {
    const level = sentryLevelFor(incident);
    if (level !== 'fatal' && level !== 'error') return Promise.resolve();
    return this.serial(async () => {
      const run = this.marker?.run;
      if (!run || run.status !== 'ok') return;
      run.errors++;
      if (level !== 'fatal') {
        await this.writeMarker();
        return;
      }
      run.status = 'crashed';
      await this.writeMarker();
      const now = this.options.clock.now();
      await this.outbox.put(sessionUpdate(run, false, now), now);
      this.options.onQueued?.();
    });
  }

  /** A clean close: the session `exited` (unless it already crashed). */
  close(): Promise<void> {
    return this.serial(async () => {
      const run = this.marker?.run;
      if (!run || run.status !== 'ok') return;
      run.status = 'exited';
      await this.writeMarker();
      const now = this.options.clock.now();
      await this.outbox.put(sessionUpdate(run, false, now), now);
      await this.outbox.idle();
    });
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => this.options.reporter.fault('sessions', error));
    this.chain = next;
    return next;
  }

  private async readMarker(): Promise<Marker | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fsp.readFile(this.file, 'utf8'));
    } catch {
      return undefined;
    }
    const marker = parsed as Partial<Marker> | null;
    if (!marker || typeof marker.install_id !== 'string' || !/^[0-9a-f-]{36}$/.test(marker.install_id)) return undefined;
    const run = marker.run;
    const validRun =
      run && typeof run.sid === 'string' && typeof run.startedAtMs === 'number' && Number.isFinite(run.startedAtMs) && typeof run.release === 'string' && typeof run.errors === 'number';
    return { version: 1, install_id: marker.install_id, run: validRun ? run : null };
  }

  private async writeMarker(): Promise<void> {
    await fsp.mkdir(this.options.dataDir, { recursive: true, mode: 0o700 });
    await this.writer.write(this.file, `${JSON.stringify(this.marker)}\n`);
  }
}
