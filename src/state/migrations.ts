import type { z } from 'zod';
import { DiagError } from '../errors.js';
import {
  CURRENT_STATE_VERSION,
  stateV1Schema,
  stateV2Schema,
  stateV3Schema,
  stateV4Schema,
  type State,
  type StateV1,
  type StateV2,
  type StateV3,
  type StateV4,
} from './schemas.js';

/**
 * The ordered migration chain. Each step takes a validated document of version N and returns a
 * plain object of version N+1, which is validated again before the next step. Unknown keys are
 * carried by the spreads. Steps never mutate their input (the caller's copy stays as read).
 */
interface MigrationStep {
  from: number;
  schema: z.ZodType;
  up: (doc: never) => unknown;
}

const secondsToMs = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000));

// A key an older version did not know but a newer one defines (`startup` in v1; `history`,
// `incidents` in v2; `session` in v3) is passed on as it is, never replaced: when it does not fit the newer schema,
// validation rejects the file (moved aside whole by the store) instead of the migration dropping it.

function v1ToV2(doc: StateV1): unknown {
  return { ...doc, version: 2, startup: doc['startup'] ?? {} };
}

function v2ToV3(doc: StateV2): unknown {
  const { app_server, renderer, startup } = doc;
  const launches =
    startup.app_started_at_ms === null
      ? []
      : [{ started_at_ms: startup.app_started_at_ms, renderer_ready_latency_ms: startup.renderer_ready_latency_ms }];
  return {
    ...doc,
    version: 3,
    app_server: { ...app_server, last_restart_at: secondsToMs(app_server.last_restart_at) },
    renderer: {
      ...renderer,
      last_ready_at: secondsToMs(renderer.last_ready_at),
      last_heartbeat_at: secondsToMs(renderer.last_heartbeat_at),
      last_recovery_at: secondsToMs(renderer.last_recovery_at),
    },
    startup: { ...startup, history: startup['history'] ?? launches },
    incidents: doc['incidents'] ?? {},
  };
}

/** v3 files have no session marker: no run is known to be open, so none is reported abnormal. */
function v3ToV4(doc: StateV3): unknown {
  return { ...doc, version: 4, session: doc['session'] ?? null };
}

const chain: MigrationStep[] = [
  { from: 1, schema: stateV1Schema, up: v1ToV2 as (doc: never) => unknown },
  { from: 2, schema: stateV2Schema, up: v2ToV3 as (doc: never) => unknown },
  { from: 3, schema: stateV3Schema, up: v3ToV4 as (doc: never) => unknown },
];

export interface MigrationResult {
  state: State;
  /** The version the document was in (1 when it had no `version` key). */
  from: number;
}

/**
 * Reads the version of a parsed document: no `version` key means v1. Throws STATE_CORRUPT for a
 * document that is not an object or whose version is not a positive integer, and
 * STATE_FROM_NEWER_VERSION for a version this build does not know.
 */
export function detectVersion(doc: unknown, file: string): number {
  if (!isPlainObject(doc)) {
    throw new DiagError('STATE_CORRUPT', `state file ${file} is not a JSON object (got ${describeJson(doc)})`);
  }
  const version = doc['version'];
  if (version === undefined) return 1;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new DiagError(
      'STATE_CORRUPT',
      `state file ${file}: "version" must be a positive integer, got ${JSON.stringify(version)}`,
    );
  }
  if (version > CURRENT_STATE_VERSION) {
    throw new DiagError(
      'STATE_FROM_NEWER_VERSION',
      `state file ${file} is version ${version}, this build knows up to ${CURRENT_STATE_VERSION}; left untouched`,
    );
  }
  return version;
}

/** Validates a parsed document against its own version and migrates it to the current one. */
export function migrateToCurrent(doc: unknown, file: string): MigrationResult {
  const from = detectVersion(doc, file);
  let current: unknown = structuredClone(doc);
  for (const step of chain) {
    if (step.from < from) continue;
    current = step.up(validate(step.schema, current, step.from, file, from) as never);
  }
  const state = validate(stateV4Schema, current, CURRENT_STATE_VERSION, file, from) as StateV4;
  return { state, from };
}

function validate(schema: z.ZodType, doc: unknown, version: number, file: string, from: number): unknown {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new DiagError(
    'STATE_CORRUPT',
    `state file ${file} does not match state v${version}${from === version ? '' : ` (migrating from v${from})`}: ${where}: ${issue?.message ?? 'invalid'}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
