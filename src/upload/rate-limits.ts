/**
 * Sentry's rate limits, read the way its SDK spec says
 * (https://develop.sentry.dev/sdk/expected-features/rate-limiting/):
 * - `X-Sentry-Rate-Limits: retry_after:categories:scope:reason_code:namespaces, ...` on any response,
 *   2xx included; `retry_after` in seconds (integer or float); no categories = every category;
 *   scope, reason code and anything further right are ignored;
 * - only without that header, a 429's `Retry-After` (seconds or an HTTP date) applies to every
 *   category; a 429 with neither is 60 s for every category;
 * - categories this client does not send, and unknown ones, are ignored; a limit whose categories
 *   are all such is ignored as a whole; the longest limit per category wins.
 *
 * Written here rather than taken from @sentry/core's `updateRateLimits`, which keeps every category
 * it is given and any duration: a header of `99999999999999999999:error:org` would be stored as
 * 1e23 ms, past what a Date can hold. A limit here is capped at RATE_LIMIT_CAP_MS, and a value that
 * is not a number, negative, or past ABSURD_RATE_LIMIT_MS is ignored with a warning.
 */

/** The longest a stored limit holds anything back: a day, then the next attempt asks Sentry again. */
export const RATE_LIMIT_CAP_MS = 24 * 60 * 60 * 1000;
/** Longer than this is no rate limit but a broken header or file (ignored, with a warning). */
export const ABSURD_RATE_LIMIT_MS = 366 * 24 * 60 * 60 * 1000;
/** Spec: a 429 with no header that says how long means a minute. */
const DEFAULT_429_MS = 60_000;

/** The key under which a limit with no categories (or from `Retry-After`) is kept. */
export const ALL_CATEGORIES = 'all';

/**
 * The data categories (Relay's `data_category.rs` names) of what this client sends. An event is
 * counted as `error` (Relay maps event types error and default to it; `default` is listed for
 * older Relays); attachments as `attachment` (bytes) and `attachment_item` (count); sessions as
 * `session`.
 */
export const EVENT_CATEGORIES = ['error', 'default'] as const;
export const ATTACHMENT_CATEGORIES = ['attachment', 'attachment_item'] as const;
export const SESSION_CATEGORIES = ['session'] as const;
const KNOWN_CATEGORIES: ReadonlySet<string> = new Set<string>([...EVENT_CATEGORIES, ...ATTACHMENT_CATEGORIES, ...SESSION_CATEGORIES]);

/** Until when (epoch ms) each category may not be sent; `all` for every category. */
export type RateLimits = Record<string, number>;

/** Called for a value that was ignored or capped; `fault` marks a value that was nonsense. */
export type RateLimitWarn = (message: string, fault: boolean) => void;

export interface RateLimitResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

/** The limits one response announces (only those this client can act on). */
export function limitsFromResponse(response: RateLimitResponse, now: number, warn: RateLimitWarn = () => undefined): RateLimits {
  const limits: RateLimits = {};
  const header = response.headers['x-sentry-rate-limits'];
  if (header !== undefined && header.trim() !== '') {
    for (const quota of header.split(',')) {
      const text = quota.trim();
      if (text === '') continue;
      const [retryAfter = '', categoryList = ''] = text.split(':');
      const ms = durationMs(Number(retryAfter.trim()) * 1000, `X-Sentry-Rate-Limits '${text}'`, warn);
      if (ms === undefined) continue;
      const categories = categoryList
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      const applicable = categories.length === 0 ? [ALL_CATEGORIES] : categories.filter((c) => KNOWN_CATEGORIES.has(c));
      for (const category of applicable) raise(limits, category, now + ms);
    }
    return limits;
  }
  if (response.status !== 429) return limits;
  const retryAfter = response.headers['retry-after'];
  const ms = retryAfter === undefined ? DEFAULT_429_MS : durationMs(retryAfterMs(retryAfter.trim(), now), `Retry-After '${retryAfter}'`, warn);
  if (ms !== undefined) raise(limits, ALL_CATEGORIES, now + ms);
  return limits;
}

/** Both sets of limits, the longer one per category (spec: "always keep the maximum"). */
export function mergeRateLimits(a: RateLimits, b: RateLimits): RateLimits {
  const merged = { ...a };
  for (const [category, until] of Object.entries(b)) raise(merged, category, until);
  return merged;
}

/** Until when anything in `categories` may not be sent (0 when it may); `all` applies to every category. */
export function blockedUntil(limits: RateLimits, categories: readonly string[], now: number): number {
  let until = limits[ALL_CATEGORIES] ?? 0;
  for (const category of categories) until = Math.max(until, limits[category] ?? 0);
  return until > now ? until : 0;
}

/**
 * Limits read back from disk: passed ones dropped, each one capped at now + RATE_LIMIT_CAP_MS,
 * and one that is not a finite number or lies absurdly far ahead ignored with a warning, so a
 * damaged file can neither block the outbox for ever nor make a timer or a date overflow.
 */
export function sanitizeStoredLimits(raw: unknown, now: number, warn: RateLimitWarn = () => undefined): RateLimits {
  const limits: RateLimits = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return limits;
  for (const [category, until] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof until !== 'number' || !Number.isFinite(until) || until - now > ABSURD_RATE_LIMIT_MS) {
      warn(`stored rate limit for '${category}' ignored: ${JSON.stringify(until)} is not a time Sentry could have asked for`, true);
      continue;
    }
    if (until <= now) continue;
    if (until - now > RATE_LIMIT_CAP_MS) {
      warn(`stored rate limit for '${category}' capped at ${RATE_LIMIT_CAP_MS / 3_600_000} h`, false);
      limits[category] = now + RATE_LIMIT_CAP_MS;
      continue;
    }
    limits[category] = until;
  }
  return limits;
}

function raise(limits: RateLimits, category: string, until: number): void {
  if (until > (limits[category] ?? 0)) limits[category] = until;
}

/** A duration Sentry asked for, capped; undefined (with a warning) when it is no sensible duration. */
function durationMs(ms: number, what: string, warn: RateLimitWarn): number | undefined {
  if (!Number.isFinite(ms) || ms < 0 || ms > ABSURD_RATE_LIMIT_MS) {
    warn(`${what} ignored: not a duration Sentry could mean`, true);
    return undefined;
  }
  if (ms > RATE_LIMIT_CAP_MS) {
    warn(`${what} capped at ${RATE_LIMIT_CAP_MS / 3_600_000} h`, false);
    return RATE_LIMIT_CAP_MS;
  }
  return ms;
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 10.2.3); NaN when it is neither. */
function retryAfterMs(value: string, now: number): number {
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? Number.NaN : Math.max(date - now, 0);
}
