/**
 * Sentry's documented payloads for what codex-diag sends, as test oracles.
 *
 * Events: EVENT_SCHEMA below encodes the event payload as Sentry's SDK developer documentation
 * describes it (https://develop.sentry.dev/sdk/data-model/event-payloads/ and its pages on contexts,
 * exception, stacktrace, breadcrumbs and tags) together with the limits Relay enforces on ingest:
 * `event_id` 32 hex characters, `level` one of fatal/error/warning/info/debug, tag keys up to 32 and
 * values up to 200 characters (longer ones are dropped), frame line and column numbers non-negative,
 * the typed context fields (`os`, `device`, `runtime`, `app`, `gpu`) with their documented types,
 * and the character limits past which Relay cuts a field (getsentry/relay,
 * relay-event-schema/src/processor/attrs.rs `MaxChars`, and the field attributes of
 * protocol/breadcrumb.rs, exception.rs, stacktrace.rs): `logentry.formatted`, breadcrumb `message`
 * and exception `value` 8192, breadcrumb `category` 128, exception `type` and frame `function` 256,
 * frame `filename` and `abs_path` 256; and each context within its 8 KiB bag
 * (protocol/contexts/mod.rs `ContextInner`, bag_size "large"), checked beside the schema.
 * Relay reads two legacy shapes on ingest (a plain string `message` as `logentry.formatted`, a bare
 * `breadcrumbs` array as `{values: [...]}`); they are rewritten first, as Relay does.
 *
 * Sessions: Sentry publishes no JSON Schema for `session` items; the schema below encodes the
 * session update payload of https://develop.sentry.dev/sdk/telemetry/sessions/ ("Session Update
 * Payload"): `started` and `attrs.release` required, `status` one of ok/exited/crashed/abnormal,
 * `init` boolean, `errors` and `duration` non-negative, timestamps ISO strings.
 */
import { Ajv, type ValidateFunction } from 'ajv';


const ISO_DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

const STRING = { type: 'string' } as const;
const UINT = { type: 'integer', minimum: 0 } as const;
const TIMESTAMP = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: ISO_DATE_TIME }] } as const;
const LEVEL = { enum: ['fatal', 'error', 'warning', 'info', 'debug'] } as const;

const FRAME = {
  type: 'object',
  properties: {
    function: { type: 'string', maxLength: 256 }, module: STRING, filename: { type: 'string', maxLength: 256 }, abs_path: { type: 'string', maxLength: 256 },
    lineno: UINT, colno: UINT, in_app: { type: 'boolean' }, platform: STRING,
  },
} as const;

export const EVENT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Event payload (develop.sentry.dev/sdk/data-model/event-payloads/)',
  type: 'object',
  // Relay drops what its event protocol does not know; a field outside this list is a mistake here.
  additionalProperties: false,
  properties: {
    type: STRING,
    culprit: STRING,
    request: { type: 'object' },
    threads: { type: 'object' },
    debug_meta: { type: 'object' },
    measurements: { type: 'object' },
    errors: { type: 'array' },
    event_id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    timestamp: TIMESTAMP,
    start_timestamp: TIMESTAMP,
    platform: { enum: ['as3', 'c', 'cfml', 'cocoa', 'csharp', 'elixir', 'haskell', 'go', 'groovy', 'java', 'javascript', 'native', 'node', 'objc', 'other', 'perl', 'php', 'python', 'ruby'] },
    level: LEVEL,
    logger: STRING,
    transaction: STRING,
    server_name: STRING,
    release: { type: 'string', minLength: 1, maxLength: 200 },
    dist: { type: 'string', minLength: 1, maxLength: 64 },
    environment: { type: 'string', minLength: 1, maxLength: 64 },
    logentry: { type: 'object', properties: { message: STRING, formatted: { type: 'string', maxLength: 8192 }, params: {} } },
    fingerprint: { type: 'array', items: STRING },
    tags: {
      anyOf: [
        { type: 'object', propertyNames: { maxLength: 32 }, additionalProperties: { type: 'string', maxLength: 200 } },
        { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string', maxLength: 32 }, { type: 'string', maxLength: 200 }] } },
      ],
    },
    extra: { type: 'object' },
    user: { type: 'object' },
    modules: { type: 'object', additionalProperties: STRING },
    sdk: { type: 'object', required: ['name', 'version'], properties: { name: STRING, version: STRING } },
    breadcrumbs: {
      type: 'object',
      required: ['values'],
      properties: {
        values: {
          type: 'array',
          items: {
            type: 'object',
            properties: { timestamp: TIMESTAMP, type: STRING, category: { type: 'string', maxLength: 128 }, level: LEVEL, message: { type: 'string', maxLength: 8192 }, data: { type: 'object' } },
          },
        },
      },
    },
    exception: {
      type: 'object',
      required: ['values'],
      properties: {
        values: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              type: { type: 'string', maxLength: 256 },
              value: { type: 'string', maxLength: 8192 },
              module: STRING,
              mechanism: { type: 'object', required: ['type'], properties: { type: STRING, handled: { type: 'boolean' }, synthetic: { type: 'boolean' }, description: STRING, data: { type: 'object' } } },
              stacktrace: { type: 'object', required: ['frames'], properties: { frames: { type: 'array', items: FRAME } } },
            },
          },
        },
      },
    },
    contexts: {
      type: 'object',
      additionalProperties: { type: 'object' },
      properties: {
        os: { type: 'object', properties: { type: { const: 'os' }, name: STRING, version: STRING, build: STRING, kernel_version: STRING, rooted: { type: 'boolean' }, raw_description: STRING } },
        device: {
          type: 'object',
          properties: {
            type: { const: 'device' }, name: STRING, family: STRING, model: STRING, arch: STRING,
            memory_size: UINT, free_memory: UINT, usable_memory: UINT, storage_size: UINT, free_storage: UINT,
            processor_count: UINT, processor_frequency: { type: 'number', minimum: 0 }, cpu_description: STRING,
            boot_time: STRING, online: { type: 'boolean' }, charging: { type: 'boolean' }, battery_level: { type: 'number' },
          },
        },
        runtime: { type: 'object', properties: { type: { const: 'runtime' }, name: STRING, version: STRING, build: STRING, raw_description: STRING } },
        app: {
          type: 'object',
          properties: {
            type: { const: 'app' }, app_start_time: { type: 'string', pattern: ISO_DATE_TIME }, app_memory: UINT,
            build_type: STRING, app_name: STRING, app_version: STRING, app_build: STRING, app_identifier: STRING, in_foreground: { type: 'boolean' },
          },
        },
        gpu: {
          type: 'object',
          properties: {
            type: { const: 'gpu' }, name: STRING, version: STRING, vendor_name: STRING, memory_size: UINT, api_type: STRING,
            driver_version: STRING, id: { type: ['string', 'integer'] }, vendor_id: { type: ['string', 'integer'] },
          },
        },
      },
    },
  },
} as const;

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
  const problems = validateEventSchema(asRelayReadsIt(event)) ? [] : (validateEventSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const contexts = event.contexts;
  if (typeof contexts === 'object' && contexts !== null) {
    for (const [name, context] of Object.entries(contexts)) {
      const bytes = Buffer.byteLength(JSON.stringify(context));
      if (bytes > 8192) problems.push(`/contexts/${name} is ${bytes} bytes of JSON, over Relay's 8192`);
    }
  }
  return problems;
}

export function sessionSchemaProblems(session: Record<string, unknown>): string[] {
  return validateSessionSchema(session) ? [] : (validateSessionSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
