/**
 * What Sentry's ingest (Relay) keeps of an event's fields, so nothing codex-diag sends is dropped or
 * rewritten on the way in:
 * - tags: keys up to 32 characters of `a-zA-Z0-9_.:-`, values up to 200 characters without a newline
 *   (https://docs.sentry.io/platform-redirect/?next=/enriching-events/tags/; Relay's
 *   `MaxChars::TagKey => 32`, `MaxChars::TagValue => 200`): a longer value is deleted on ingest;
 * - `environment` up to 64 characters, no newline, slash or space; `dist` up to 64 characters;
 *   `release` up to 200, no newline, tab, slash or backslash, not `.`, `..` or blank
 *   (https://docs.sentry.io/product/releases/naming-releases/), and not `latest` (getsentry/relay,
 *   relay-release `Release::parse`: RestrictedName);
 * - text fields are cut to Relay's `MaxChars` (relay-event-schema/src/processor/attrs.rs, and the
 *   field attributes in protocol/breadcrumb.rs, exception.rs, stacktrace.rs): breadcrumb `message`,
 *   exception `value` and the event's message 8192 characters ("message"), breadcrumb `category` 128,
 *   exception `type` and frame `function` 256 ("symbol"), frame `abs_path` / `filename` 256 ("path");
 * - each context is a bag of at most 8 KiB of JSON, 7 levels deep (`ContextInner`, bag_size "large"):
 *   see ingest-context.ts;
 * - `timestamp`: Relay replaces one more than 30 days in the past or more than a minute in the
 *   future with the time it received the event, and flags the event (relay-config
 *   `max_secs_in_past` 30 days, `max_secs_in_future` 60 s).
 */

export const MAX_TAG_KEY_CHARS = 32;
export const MAX_TAG_VALUE_CHARS = 200;
export const MAX_ENVIRONMENT_CHARS = 64;
export const MAX_DIST_CHARS = 64;
export const MAX_RELEASE_CHARS = 200;
export const MAX_MESSAGE_CHARS = 8192;
export const MAX_BREADCRUMB_CATEGORY_CHARS = 128;
export const MAX_SYMBOL_CHARS = 256;
export const MAX_PATH_CHARS = 256;
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60 * 1000;
export const MAX_EVENT_FUTURE_MS = 60 * 1000;
/** Kept inside Relay's window: the event may spend a while in the outbox and on the wire. */
const TIMESTAMP_MARGIN_MS = 60 * 60 * 1000;

/** Cuts a string to `max` characters (code points, so a surrogate pair is never split), marking the cut. */
export function capChars(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** Tags Sentry keeps as given: keys and values capped and cleaned; empty ones left out. */
export function ingestableTags(tags: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, rawValue] of Object.entries(tags)) {
    if (rawValue === undefined) continue;
    const key = Array.from(rawKey.replace(/[^a-zA-Z0-9_.:-]/g, '_')).slice(0, MAX_TAG_KEY_CHARS).join('');
    const value = capChars(rawValue.replace(/[\r\n]+/g, ' ').trim(), MAX_TAG_VALUE_CHARS);
    if (key !== '' && value !== '') out[key] = value;
  }
  return out;
}

/** `name@version` (the convention for organisation-wide releases); the name's non-word characters as `-`, as the Sentry Electron SDK does. */
export function releaseName(appName: string | undefined, version: string | undefined): string | undefined {
  if (!version || version === 'unknown') return undefined;
  const name = (appName ?? '').replace(/\W/g, '-');
  const release = capChars((name ? `${name}@${version}` : version).replace(/[\r\n\t/\\]/g, '-').trim(), MAX_RELEASE_CHARS);
  return release === '' || release === '.' || release === '..' || release.toLowerCase() === 'latest' ? undefined : release;
}

/** An environment name Sentry accepts (no newline, slash or space; 64 characters), or undefined. */
export function environmentName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const cleaned = capChars(value.trim().replace(/[\s/]+/g, '-'), MAX_ENVIRONMENT_CHARS);
  return cleaned === '' ? undefined : cleaned;
}

export function distName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const cleaned = capChars(value.trim().replace(/[\r\n]+/g, ' '), MAX_DIST_CHARS);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * The event time Sentry will keep: the incident's own when it is inside Relay's window (with an
 * hour's margin), else the nearest edge. `clamped` says the time was moved (the caller keeps the
 * original in the incident context).
 */
export function ingestableTimestamp(occurredAtMs: number, nowMs: number): { timestampMs: number; clamped: boolean } {
  const earliest = nowMs - MAX_EVENT_AGE_MS + TIMESTAMP_MARGIN_MS;
  const latest = nowMs + MAX_EVENT_FUTURE_MS;
  if (occurredAtMs < earliest) return { timestampMs: earliest, clamped: true };
  if (occurredAtMs > latest) return { timestampMs: nowMs, clamped: true };
  return { timestampMs: occurredAtMs, clamped: false };
}

/** The environment of events and sessions: the app's own, else `development` for an app Electron runs unpackaged, else `production`. */
export function resolveEnvironment(explicit: string | undefined, packaged: boolean | undefined): string {
  return environmentName(explicit) ?? (packaged === false ? 'development' : 'production');
}
