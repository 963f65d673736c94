/**
 * Sentry's published schemas for what codex-diag sends, as test oracles.
 *
 * Events: tests/fixtures/sentry/event.schema.json is Relay's event schema from
 * getsentry/sentry-data-schemas (relay/event.schema.json; MIT; see the README beside it). It
 * describes the canonical form Relay stores. Two legacy shapes Relay accepts on ingest and
 * rewrites before that form are applied first, as Relay does (relay-event-schema's `Event`:
 * `#[metastructure(legacy_alias = "message")] logentry`, a plain string read as
 * `logentry.formatted`; `breadcrumbs: Annotated<Values<Breadcrumb>>`, a bare array read as
 * `{values: [...]}`). Nothing else is changed.
 *
 * Sessions: Sentry publishes no JSON Schema for `session` items; the schema below encodes the
 * session update payload of https://develop.sentry.dev/sdk/telemetry/sessions/ ("Session Update
 * Payload"): `started` and `attrs.release` required, `status` one of ok/exited/crashed/abnormal,
 * `init` boolean, `errors` and `duration` non-negative, timestamps ISO strings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENT_SCHEMA = JSON.parse(readFileSync(path.join(here, '..', 'fixtures', 'sentry', 'event.schema.json'), 'utf8')) as object;

const ISO_DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

export const SESSION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Session update (develop.sentry.dev/sdk/telemetry/sessions/)',
  type: 'object',
  required: ['started', 'attrs'],
  additionalProperties: false,
  properties: {
    sid: { type: 'string', minLength: 1 },
    did: { type: 'string', minLength: 1 },
    seq: { type: 'integer', minimum: 0 },
    timestamp: { type: 'string', pattern: ISO_DATE_TIME },
    started: { type: 'string', pattern: ISO_DATE_TIME },
    init: { type: 'boolean' },
    duration: { type: 'number', minimum: 0 },
    status: { enum: ['ok', 'exited', 'crashed', 'abnormal'] },
    errors: { type: 'integer', minimum: 0 },
    abnormal_mechanism: { type: 'string' },
    attrs: {
      type: 'object',
      required: ['release'],
      additionalProperties: false,
      properties: {
        release: { type: 'string', minLength: 1 },
        environment: { type: 'string' },
        ip_address: { type: 'string' },
        user_agent: { type: 'string' },
      },
    },
  },
} as const;

function compile(schema: object): ValidateFunction {
  // The event schema uses Rust-derived formats (uint64, double) that are documentation, not checks.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(schema);
}

const validateEventSchema = compile(EVENT_SCHEMA);
const validateSessionSchema = compile(SESSION_SCHEMA);

/** Relay's two legacy input shapes, rewritten the way Relay reads them (see above). */
export function asRelayReadsIt(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...event };
  if (typeof out.message === 'string') {
    out.logentry ??= { formatted: out.message };
    delete out.message;
  }
  if (Array.isArray(out.breadcrumbs)) out.breadcrumbs = { values: out.breadcrumbs };
  return out;
}

/** Problems of an event payload against Relay's event schema; [] when it is valid. */
export function eventSchemaProblems(event: Record<string, unknown>): string[] {
  return validateEventSchema(asRelayReadsIt(event)) ? [] : (validateEventSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export function sessionSchemaProblems(session: Record<string, unknown>): string[] {
  return validateSessionSchema(session) ? [] : (validateSessionSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
