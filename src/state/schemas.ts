import { z } from 'zod';

/**
 * The state file's versions (contract: State). Every object is loose: keys a schema
 * does not know (written by a newer build or by hand) are kept through migration and save.
 * Missing sections and fields take their defaults, as the Rust seed's `serde(default)` did, so a
 * partial file from an earlier release still loads; a field of the wrong type does not validate.
 */

export const CURRENT_STATE_VERSION = 4;

const count = z.number().int().nonnegative();
/** v1/v2 timestamps: Unix seconds (fractions tolerated, rounded when converted to ms). */
const unixSeconds = z.number().nonnegative();
/** v3 timestamps and durations: milliseconds. */
const millis = z.number().int().nonnegative();
const reason = z.string().nullable().default(null);

// ---------- v1 (an earlier release; `*_at` in Unix seconds) ----------

const appServerV1 = z.looseObject({
  restart_count: count.default(0),
  last_restart_at: unixSeconds.nullable().default(null),
  last_disconnect_reason: reason,
});

const rendererV1 = z.looseObject({
  last_ready_at: unixSeconds.nullable().default(null),
  last_heartbeat_at: unixSeconds.nullable().default(null),
  recovery_attempts: count.default(0),
  last_recovery_at: unixSeconds.nullable().default(null),
});

export const stateV1Schema = z
  .looseObject({
    /** A file without `version` is read as v1. */
    version: z.literal(1).optional(),
    app_server: appServerV1.prefault({}),
    renderer: rendererV1.prefault({}),
  })
  .meta({
    title: 'codex-diag state v1',
    description: 'State file as the first release wrote it; *_at values are Unix seconds. No version key means v1.',
  });
export type StateV1 = z.output<typeof stateV1Schema>;

// ---------- v2 (the seed's: v1 plus startup; `*_at` still seconds) ----------

const startupV2 = z.looseObject({
  app_started_at_ms: millis.nullable().default(null),
  renderer_ready_latency_ms: millis.nullable().default(null),
});

export const stateV2Schema = z
  .looseObject({
    version: z.literal(2),
    app_server: appServerV1.prefault({}),
    renderer: rendererV1.prefault({}),
    startup: startupV2.prefault({}),
  })
  .meta({
    title: 'codex-diag state v2',
    description: 'v1 plus startup metrics (milliseconds); app_server/renderer *_at values are still Unix seconds.',
  });
export type StateV2 = z.output<typeof stateV2Schema>;

// ---------- v3 (all timestamps in ms, startup history, incident counters) ----------

const appServerV3 = z.looseObject({
  restart_count: count.default(0),
  last_restart_at: millis.nullable().default(null).describe('Unix milliseconds'),
  last_disconnect_reason: reason,
});

const rendererV3 = z.looseObject({
  last_ready_at: millis.nullable().default(null).describe('Unix milliseconds'),
  last_heartbeat_at: millis.nullable().default(null).describe('Unix milliseconds'),
  recovery_attempts: count.default(0),
  last_recovery_at: millis.nullable().default(null).describe('Unix milliseconds'),
});

export const STARTUP_HISTORY_LIMIT = 50;

const launchV3 = z.looseObject({
  started_at_ms: millis,
  /** null while the renderer has not reported ready in that launch (or never did). */
  renderer_ready_latency_ms: millis.nullable().default(null),
});

const startupV3 = z.looseObject({
  app_started_at_ms: millis.nullable().default(null),
  renderer_ready_latency_ms: millis.nullable().default(null),
  history: z
    .array(launchV3)
    .max(STARTUP_HISTORY_LIMIT)
    .default([])
    .describe(`The last ${STARTUP_HISTORY_LIMIT} launches, oldest first`),
});

/** Per fingerprint: how often it happened, when first and last, and how many the crash-loop limiter suppressed. */
const incidentCounterV3 = z.looseObject({
  count: count.describe('occurrences, suppressed ones included'),
  suppressed: count.default(0).describe('occurrences the crash-loop limiter did not bundle'),
  first_at: millis.describe('Unix milliseconds'),
  last_at: millis.describe('Unix milliseconds'),
});

/** What v3 holds besides its version; v4 keeps all of it. */
const stateV3Fields = {
  app_server: appServerV3.prefault({}),
  renderer: rendererV3.prefault({}),
  startup: startupV3.prefault({}),
  incidents: z
    .record(z.string().min(1), incidentCounterV3)
    .default({})
    .describe('Counters keyed by incident fingerprint (fp1-...)'),
};

export const stateV3Schema = z
  .looseObject({ version: z.literal(3), ...stateV3Fields })
  .meta({
    title: 'codex-diag state v3',
    description: 'v2 plus startup.history and incident counters; every timestamp in Unix milliseconds.',
  });
export type StateV3 = z.output<typeof stateV3Schema>;
export type IncidentCounter = z.output<typeof incidentCounterV3>;
export type LaunchRecord = z.output<typeof launchV3>;

// ---------- v4 (current: v3 plus the release-health session marker) ----------

export const SESSION_STATUSES = ['ok', 'exited', 'crashed', 'abnormal'] as const;

/**
 * The Sentry session of the latest run. `status: ok` while that run is open: a start that finds it
 * so knows the run before it ended without close() (killed, powered off, a main-process crash).
 */
const sessionV4 = z.looseObject({
  sid: z.uuid().describe('Sentry session id'),
  seq: count.default(0).describe('sequence of the latest update queued for this session'),
  started_at_ms: millis.describe('Unix milliseconds'),
  status: z.enum(SESSION_STATUSES).describe('ok while the run is open; exited, crashed, abnormal are final'),
  errors: count.default(0).describe('incidents at level error or fatal in that run'),
  release: z.string().min(1),
  environment: z.string().nullable().default(null),
});

export const stateV4Schema = z
  .looseObject({
    version: z.literal(4),
    ...stateV3Fields,
    session: sessionV4.nullable().default(null).describe('Release health: the latest run\'s session; null before the first'),
  })
  .meta({
    title: 'codex-diag state v4',
    description: 'Current state file: v3 plus the release-health session of the latest run; every timestamp in Unix milliseconds.',
  });
export type StateV4 = z.output<typeof stateV4Schema>;
export type SessionRecord = z.output<typeof sessionV4>;

/** The state this build reads and writes. */
export type State = StateV4;
export const currentStateSchema = stateV4Schema;
