import type { Clock } from '../clock.js';
import { errnoCode } from '../errors.js';
import { resolveDsn } from '../paths.js';
import { parseDsn } from '../upload/dsn.js';
import type { HeldBackCount } from '../upload/held-back.js';
import type { MinidumpScrubber } from '../upload/minidump-attachment.js';
import type { Transport } from '../upload/transport.js';
import type { Uploader } from '../upload/uploader.js';
import type { ServiceReporter } from './service-reporter.js';
import type { UploadEvent } from './types.js';

export interface UploadLinkOptions {
  /** The `dsn` option (already validated by open); the environment is read when it is absent. */
  dsn: string | undefined;
  env: NodeJS.ProcessEnv;
  outboxDir: string;
  clock: Clock;
  /** Delay from start-up before any background upload (`upload.startDelayMs`). */
  startDelayMs: number;
  requestTimeoutMs?: number;
  transport?: Transport;
  random?: () => number;
  reporter: ServiceReporter;
  onUploadEvent: (event: UploadEvent) => void;
  /** Where an outgoing minidump is re-scrubbed (the bundle worker). */
  scrubMinidump?: MinidumpScrubber;
}

/**
 * The service's way to Sentry: resolves the DSN, loads the uploader (and through it @sentry/node)
 * on the first bundle or after the start delay, never during start-up, and queues bundles.
 */
export class UploadLink {
  private dsn: string | undefined;
  private uploader: Promise<Uploader | undefined> | undefined;
  private startTimer: unknown;
  /** Epoch ms before which no background upload starts (open time + start delay). */
  private notBefore = 0;

  constructor(private readonly options: UploadLinkOptions) {}

  get enabled(): boolean {
    return this.dsn !== undefined;
  }

  /** Resolves the DSN and schedules draining what an earlier run left in the outbox. */
  start(): void {
    this.dsn = this.resolveDsnSafely();
    const { clock, startDelayMs } = this.options;
    this.notBefore = clock.now() + startDelayMs;
    // What an earlier run left in the outbox is sent a little later, so start-up never loads Sentry.
    if (this.dsn) this.startTimer = clock.setTimeout(() => void this.drainLeftovers(), startDelayMs);
  }

  /** Queues a written bundle; true when it entered the outbox. */
  async enqueue(bundlePath: string, fingerprint: string, heldBack: HeldBackCount | null = null): Promise<boolean> {
    const uploader = await this.getUploader();
    if (!uploader) return false;
    const item = await uploader.enqueue(bundlePath, { fingerprint, heldBack });
    this.options.onUploadEvent({ type: 'queued', eventId: item.eventId, bundlePath, fingerprint });
    return true;
  }

  /** Stops the scheduled start; nothing new is loaded after this. */
  stopScheduling(): void {
    this.options.clock.clearTimeout(this.startTimer);
  }

  /** The uploader if one was loaded (waiting at most until it finishes loading). */
  loaded(): Promise<Uploader | undefined> | undefined {
    return this.uploader;
  }

  /** A malformed `dsn` option is the caller's error (thrown by open); one from the environment only disables upload. */
  private resolveDsnSafely(): string | undefined {
    const dsn = resolveDsn(this.options.dsn, this.options.env);
    if (!dsn) return undefined;
    try {
      parseDsn(dsn);
      return dsn;
    } catch (error) {
      this.options.reporter.fault('upload', error);
      return undefined;
    }
  }

  /** Something new is in the outbox (a session update): drain it, after the start delay. */
  kick(): void {
    if (!this.dsn) return;
    this.getUploader().then(
      (uploader) => uploader?.start(),
      (error: unknown) => this.options.reporter.fault('upload', error),
    );
  }

  private async drainLeftovers(): Promise<void> {
    try {
      const [{ pendingItems }, { SessionOutbox }] = await Promise.all([import('../upload/enqueue.js'), import('../upload/session-outbox.js')]);
      const sessions = await new SessionOutbox(this.options.outboxDir).list();
      if ((await pendingItems(this.options.outboxDir, this.options.clock)).length === 0 && sessions.length === 0) return;
      (await this.getUploader())?.start();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.options.reporter.fault('upload', error);
    }
  }

  private getUploader(): Promise<Uploader | undefined> {
    if (!this.dsn) return Promise.resolve(undefined);
    const { options } = this;
    this.uploader ??= import('../upload/uploader.js')
      .then(
        ({ Uploader }) =>
          new Uploader({
            outboxDir: options.outboxDir,
            dsn: this.dsn!,
            clock: options.clock,
            // A crash during start-up is queued at once but sent after the start delay: the first send
            // imports @sentry/node, which must stay off the app's start-up path.
            notBefore: this.notBefore,
            ...(options.transport ? { transport: options.transport } : {}),
            ...(options.random ? { random: options.random } : {}),
            ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
            ...(options.scrubMinidump ? { scrubMinidump: options.scrubMinidump } : {}),
            log: (level, message, fields) => options.reporter.log(level, message, fields),
            onDrain: (result) => options.onUploadEvent({ type: 'drained', ...result }),
            // A rate limit or a timer value that made no sense (ignored, clamped) counts in diag.faults.
            onFault: (error) => options.reporter.fault('upload', error),
          }),
      )
      .catch((error: unknown) => {
        // A malformed DSN from the environment: keep bundles local rather than fail the app.
        options.reporter.fault('upload', error);
        this.dsn = undefined;
        return undefined;
      });
    return this.uploader;
  }
}
