import { MAX_TIMER_MS, type Clock } from '../clock.js';
import { DiagError } from '../errors.js';
import type { DeliverFn } from '../runtime/delivery-types.js';
import type { Transport } from '../upload/transport.js';
import { arrayOf, boolean, type Check, describeIssue, either, number, oneOf, optional, recordOf, satisfies, strictObject, string } from './option-checks.js';

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type CapturedKindName = 'render-process-gone' | 'unresponsive' | 'did-fail-load' | 'child-process-gone' | 'sidecar-exit';

/** A share of installs, 0..1. */
type Rate = number;

/**
 * Options of `createDiagnostics` (contract: Embed API). Strict: a misspelt option is an error naming
 * it, not silently ignored. Durations are integer milliseconds up to setTimeout's largest delay
 * (2147483647): Node fires a longer timer after 1 ms, so a huge delay would mean none. Functions
 * (clock, deliver, transport, random) are the injectable edges.
 */
export interface DiagnosticsOptions {
  logDir?: string | undefined;
  dataDir?: string | undefined;
  /** Default `<dataDir>/state.json`. */
  stateFile?: string | undefined;
  /** `dist`: the build of this version (Sentry's dist), when the app has one. */
  app?: { name: string; version: string; dist?: string | undefined } | undefined;
  /** Sentry environment of events and sessions (default: production, or development for an unpackaged app). */
  environment?: string | undefined;
  /** Release health: one Sentry session per run through the outbox (default true; needs a DSN). */
  sessions?: boolean | undefined;
  /** Without one (and without CODEX_DIAG_DSN / SENTRY_DSN) bundles stay local. */
  dsn?: string | undefined;
  bundle?:
    | {
        lines?: number | undefined;
        maxLineBytes?: number | undefined;
        maxBundleBytes?: number | undefined;
        /** Build a bundle for admitted incidents (default true). */
        enabled?: boolean | undefined;
      }
    | undefined;
  recovery?:
    | {
        maxReloads?: number | undefined;
        baseDelayMs?: number | undefined;
        maxDelayMs?: number | undefined;
        windowMs?: number | undefined;
        stableMs?: number | undefined;
        jitter?: number | undefined;
        skipReasons?: string[] | undefined;
      }
    | undefined;
  unresponsive?:
    | {
        graceMs?: number | undefined;
        sampleIntervalMs?: number | undefined;
        maxSampleMs?: number | undefined;
        sampleTimeoutMs?: number | undefined;
        topStacks?: number | undefined;
      }
    | undefined;
  heartbeat?: { timeoutMs?: number | undefined } | undefined;
  delivery?: { capacity?: number | undefined } | undefined;
  crashLoop?: { windowMs?: number | undefined } | undefined;
  capture?:
    | {
        ignoreKinds?: CapturedKindName[] | undefined;
        ignoreReasons?: string[] | undefined;
        didFailLoadMainFrameOnly?: boolean | undefined;
        ignoreLoadErrorCodes?: number[] | undefined;
        captureCleanSidecarExit?: boolean | undefined;
      }
    | undefined;
  metrics?: { windowMs?: number | undefined } | undefined;
  /** codex-diag's own pino-roll log in the log dir; `false` for none. */
  log?: false | { name?: string | undefined; level?: LogLevelName | undefined; size?: string | number | undefined; limit?: number | undefined } | undefined;
  upload?:
    | {
        /** Delay before the outbox left by an earlier run is drained (default 5000): start-up stays free of Sentry. */
        startDelayMs?: number | undefined;
        requestTimeoutMs?: number | undefined;
      }
    | undefined;
  /**
   * The delivery budget (docs/SENTRY.md "Delivery budget"); on by default, `false` turns it off.
   * Per fingerprint the first occurrence always goes, then at most `perFingerprintPerDay` (default 6,
   * bucket of `burst` 1); at most `maxEventsPerRun` (default 20); repeats sampled per install by level
   * (default fatal 1, error 1, warning 0.5, info 1) or by kind.
   */
  budget?:
    | false
    | {
        perFingerprintPerDay?: number | undefined;
        burst?: number | undefined;
        maxEventsPerRun?: number | undefined;
        sampling?:
          | {
              levels?: { fatal?: Rate | undefined; error?: Rate | undefined; warning?: Rate | undefined; info?: Rate | undefined } | undefined;
              kinds?: Record<string, Rate> | undefined;
            }
          | undefined;
        maxFingerprints?: number | undefined;
      }
    | undefined;
  /**
   * Crashpad minidumps in bundles and events: `scrubbed` (default: every secret, the home dir and the
   * user name overwritten in place), `raw` (unscrubbed: only by this explicit choice), `off` (none).
   */
  minidumps?: 'scrubbed' | 'raw' | 'off' | undefined;
  /** The app's crash dumps dir; attachToApp sets it from `app.getPath('crashDumps')` when it is not given. */
  crashDir?: string | undefined;
  /** Bounds of the crash dumps dir (defaults 20 dumps, 200 MB, 30 days) and how long an incident waits for its dump (default 10 s). */
  crashDumps?:
    | {
        maxDumps?: number | undefined;
        maxBytes?: number | undefined;
        maxAgeMs?: number | undefined;
        waitMs?: number | undefined;
      }
    | undefined;
  /** Budget of `close()` when called without one, and of the flush on quit (default 2000). */
  closeTimeoutMs?: number | undefined;
  clock?: Clock | undefined;
  /** Fallback delivery edge for renderers not attached with attachToWindow. */
  deliver?: DeliverFn | undefined;
  transport?: Transport | undefined;
  random?: (() => number) | undefined;
  /** The user's home directory (redaction, fingerprints); default os.homedir(). */
  homedir?: string | undefined;
  env?: Record<string, string | undefined> | undefined;
}

const nonEmpty = string({ minLength: 1 });
const positiveInt = number({ int: true, above: 0 });
const nonNegativeInt = number({ int: true, min: 0 });
const durationMs = number({ int: true, min: 0, max: MAX_TIMER_MS });
const positiveDurationMs = number({ int: true, above: 0, max: MAX_TIMER_MS });
const rate = number({ min: 0, max: 1 });
const isFunction = (value: unknown) => typeof value === 'function';
const isClock = (value: unknown) => typeof value === 'object' && value !== null && isFunction((value as Clock).now) && isFunction((value as Clock).setTimeout);

const optionsShape: Record<string, Check> = {
  logDir: nonEmpty,
  dataDir: nonEmpty,
  stateFile: nonEmpty,
  app: strictObject({ name: nonEmpty, version: nonEmpty, dist: nonEmpty }, ['name', 'version']),
  environment: nonEmpty,
  sessions: boolean,
  dsn: string(),
  bundle: strictObject({ lines: nonNegativeInt, maxLineBytes: positiveInt, maxBundleBytes: positiveInt, enabled: boolean }),
  recovery: strictObject({
    maxReloads: nonNegativeInt,
    baseDelayMs: durationMs,
    maxDelayMs: durationMs,
    windowMs: positiveDurationMs,
    stableMs: durationMs,
    jitter: rate,
    skipReasons: arrayOf(string()),
  }),
  unresponsive: strictObject({
    graceMs: durationMs,
    sampleIntervalMs: positiveDurationMs,
    maxSampleMs: positiveDurationMs,
    sampleTimeoutMs: positiveDurationMs,
    topStacks: positiveInt,
  }),
  heartbeat: strictObject({ timeoutMs: positiveDurationMs }),
  delivery: strictObject({ capacity: positiveInt }),
  crashLoop: strictObject({ windowMs: durationMs }),
  capture: strictObject({
    ignoreKinds: arrayOf(oneOf(['render-process-gone', 'unresponsive', 'did-fail-load', 'child-process-gone', 'sidecar-exit'])),
    ignoreReasons: arrayOf(string()),
    didFailLoadMainFrameOnly: boolean,
    ignoreLoadErrorCodes: arrayOf(number({ int: true })),
    captureCleanSidecarExit: boolean,
  }),
  metrics: strictObject({ windowMs: positiveDurationMs }),
  log: either(
    oneOf([false]),
    strictObject({
      name: nonEmpty,
      level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
      size: either(nonEmpty, positiveInt),
      limit: nonNegativeInt,
    }),
  ),
  upload: strictObject({ startDelayMs: durationMs, requestTimeoutMs: positiveDurationMs }),
  budget: either(
    oneOf([false]),
    strictObject({
      perFingerprintPerDay: number({ above: 0 }),
      burst: number({ min: 1 }),
      maxEventsPerRun: nonNegativeInt,
      sampling: strictObject({
        levels: strictObject({ fatal: rate, error: rate, warning: rate, info: rate }),
        kinds: recordOf(rate),
      }),
      maxFingerprints: positiveInt,
    }),
  ),
  minidumps: oneOf(['scrubbed', 'raw', 'off']),
  crashDir: nonEmpty,
  crashDumps: strictObject({ maxDumps: nonNegativeInt, maxBytes: nonNegativeInt, maxAgeMs: nonNegativeInt, waitMs: durationMs }),
  closeTimeoutMs: positiveDurationMs,
  clock: satisfies(isClock, 'expected a Clock {now, setTimeout, clearTimeout}'),
  deliver: satisfies(isFunction, 'expected a function (webContentsId, channel, payload)'),
  transport: satisfies(isFunction, 'expected a transport function'),
  random: satisfies(isFunction, 'expected a function returning [0, 1)'),
  homedir: string(),
  env: recordOf(optional(string())),
};

const optionsCheck: Check = strictObject(optionsShape);

/** Every option createDiagnostics takes (README's options table lists each). */
export const diagnosticsOptionNames: readonly string[] = Object.keys(optionsShape);

/** The injectable edges: kept as given (a clock is an object with state of its own). */
const EDGES = new Set(['clock', 'deliver', 'transport', 'random']);

/**
 * Validates options; a problem is one line naming the option and what was expected. Returns a copy,
 * so an app that changes its options object afterwards does not change the running service.
 */
export function parseDiagnosticsOptions(input: unknown): DiagnosticsOptions {
  const options = input ?? {};
  const issues = optionsCheck(options, []);
  if (issues.length > 0) throw new DiagError('BAD_USAGE', `createDiagnostics: ${issues.map(describeIssue).join('; ')}`);
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, EDGES.has(key) ? value : copyData(value)])) as DiagnosticsOptions;
}

function copyData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyData);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, copyData(v)]));
  return value;
}
