import { z } from 'zod';
import { MAX_TIMER_MS, type Clock } from '../clock.js';
import { DiagError } from '../errors.js';
import type { DeliverFn } from '../runtime/delivery-types.js';
import type { Transport } from '../upload/transport.js';

/** setTimeout's largest delay: Node fires a longer timer after 1 ms, so a huge delay would mean none. */
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const durationMs = z.number().int().nonnegative().max(MAX_TIMER_MS);
const positiveDurationMs = z.number().int().positive().max(MAX_TIMER_MS);
/** A share of installs, 0..1. */
const rate = z.number().min(0).max(1);

const isFunction = (value: unknown) => typeof value === 'function';

/**
 * Options of `createDiagnostics` (contract: Embed API). Strict: a misspelt option is an
 * error naming it, not silently ignored. Functions (clock, deliver, transport) are the injectable edges.
 */
export const diagnosticsOptionsSchema = z.strictObject({
  logDir: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  /** Default `<dataDir>/state.json`. */
  stateFile: z.string().min(1).optional(),
  /** `dist`: the build of this version (Sentry's dist), when the app has one. */
  app: z.strictObject({ name: z.string().min(1), version: z.string().min(1), dist: z.string().min(1).optional() }).optional(),
  /** Sentry environment of events and sessions (default: production, or development for an unpackaged app). */
  environment: z.string().min(1).optional(),
  /** Release health: one Sentry session per run through the outbox (default true; needs a DSN). */
  sessions: z.boolean().optional(),
  /** Without one (and without CODEX_DIAG_DSN / SENTRY_DSN) bundles stay local. */
  dsn: z.string().optional(),
  bundle: z
    .strictObject({
      lines: nonNegativeInt.optional(),
      maxLineBytes: positiveInt.optional(),
      maxBundleBytes: positiveInt.optional(),
      /** Build a bundle for admitted incidents (default true). */
      enabled: z.boolean().optional(),
    })
    .optional(),
  recovery: z
    .strictObject({
      maxReloads: nonNegativeInt.optional(),
      baseDelayMs: durationMs.optional(),
      maxDelayMs: durationMs.optional(),
      windowMs: positiveDurationMs.optional(),
      stableMs: durationMs.optional(),
      jitter: z.number().min(0).max(1).optional(),
      skipReasons: z.array(z.string()).optional(),
    })
    .optional(),
  unresponsive: z
    .strictObject({
      graceMs: durationMs.optional(),
      sampleIntervalMs: positiveDurationMs.optional(),
      maxSampleMs: positiveDurationMs.optional(),
      sampleTimeoutMs: positiveDurationMs.optional(),
      topStacks: positiveInt.optional(),
    })
    .optional(),
  heartbeat: z.strictObject({ timeoutMs: positiveDurationMs.optional() }).optional(),
  delivery: z.strictObject({ capacity: positiveInt.optional() }).optional(),
  crashLoop: z.strictObject({ windowMs: durationMs.optional() }).optional(),
  capture: z
    .strictObject({
      ignoreKinds: z.array(z.enum(['render-process-gone', 'unresponsive', 'did-fail-load', 'child-process-gone', 'sidecar-exit'])).optional(),
      ignoreReasons: z.array(z.string()).optional(),
      didFailLoadMainFrameOnly: z.boolean().optional(),
      ignoreLoadErrorCodes: z.array(z.number().int()).optional(),
      captureCleanSidecarExit: z.boolean().optional(),
    })
    .optional(),
  metrics: z.strictObject({ windowMs: positiveDurationMs.optional() }).optional(),
  /** codex-diag's own pino-roll log in the log dir; `false` for none. */
  log: z
    .union([
      z.literal(false),
      z.strictObject({
        name: z.string().min(1).optional(),
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
        size: z.union([z.string().min(1), positiveInt]).optional(),
        limit: nonNegativeInt.optional(),
      }),
    ])
    .optional(),
  upload: z
    .strictObject({
      /** Delay before the outbox left by an earlier run is drained (default 5000): start-up stays free of Sentry. */
      startDelayMs: durationMs.optional(),
      requestTimeoutMs: positiveDurationMs.optional(),
    })
    .optional(),
  /**
   * The delivery budget (docs/SENTRY.md "Delivery budget"); on by default, `false` turns it off.
   * Per fingerprint the first occurrence always goes, then at most `perFingerprintPerDay` (default 6,
   * bucket of `burst` 1); at most `maxEventsPerRun` (default 20); repeats sampled per install by level
   * (default fatal 1, error 1, warning 0.5, info 1) or by kind.
   */
  budget: z
    .union([
      z.literal(false),
      z.strictObject({
        perFingerprintPerDay: z.number().positive().optional(),
        burst: z.number().min(1).optional(),
        maxEventsPerRun: nonNegativeInt.optional(),
        sampling: z
          .strictObject({
            levels: z.strictObject({ fatal: rate.optional(), error: rate.optional(), warning: rate.optional(), info: rate.optional() }).optional(),
            kinds: z.record(z.string(), rate).optional(),
          })
          .optional(),
        maxFingerprints: positiveInt.optional(),
      }),
    ])
    .optional(),
  /**
   * Crashpad minidumps in bundles and events: `scrubbed` (default: every secret, the home dir and the
   * user name overwritten in place), `raw` (unscrubbed: only by this explicit choice), `off` (none).
   */
  minidumps: z.enum(['scrubbed', 'raw', 'off']).optional(),
  /** The app's crash dumps dir; attachToApp sets it from `app.getPath('crashDumps')` when it is not given. */
  crashDir: z.string().min(1).optional(),
  /** Bounds of the crash dumps dir (defaults 20 dumps, 200 MB, 30 days) and how long an incident waits for its dump (default 10 s). */
  crashDumps: z
    .strictObject({
      maxDumps: nonNegativeInt.optional(),
      maxBytes: nonNegativeInt.optional(),
      maxAgeMs: nonNegativeInt.optional(),
      waitMs: durationMs.optional(),
    })
    .optional(),
  /** Budget of `close()` when called without one, and of the flush on quit (default 2000). */
  closeTimeoutMs: positiveDurationMs.optional(),
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && isFunction((v as Clock).now) && isFunction((v as Clock).setTimeout), 'expected a Clock {now, setTimeout, clearTimeout}').optional(),
  /** Fallback delivery edge for renderers not attached with attachToWindow. */
  deliver: z.custom<DeliverFn>(isFunction, 'expected a function (webContentsId, channel, payload)').optional(),
  transport: z.custom<Transport>(isFunction, 'expected a transport function').optional(),
  random: z.custom<() => number>(isFunction, 'expected a function returning [0, 1)').optional(),
  /** The user's home directory (redaction, fingerprints); default os.homedir(). */
  homedir: z.string().optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
});

export type DiagnosticsOptions = z.input<typeof diagnosticsOptionsSchema>;

/** Validates options; a problem is one line naming the option and what was expected. */
export function parseDiagnosticsOptions(input: unknown): z.output<typeof diagnosticsOptionsSchema> {
  const result = diagnosticsOptionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(options)';
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys?: string[] }).keys ?? [];
      const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
      return `unknown option ${keys.map((k) => prefix + k).join(', ')}`;
    }
    return `option ${where}: ${issue.message}`;
  });
  throw new DiagError('BAD_USAGE', `createDiagnostics: ${problems.join('; ')}`);
}
