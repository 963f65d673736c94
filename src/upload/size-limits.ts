import type { Event } from '@sentry/core';

/** Sentry's ingest limits (https://develop.sentry.dev/sdk/data-model/envelopes/#size-limits). */
export const MAX_EVENT_BYTES = 1_000_000;
export const MAX_REQUEST_BYTES = 20_000_000;

/** Trims an event until its JSON fits: oldest breadcrumbs first, then long strings in contexts. */
export function fitEvent(event: Event, maxBytes: number): Event {
  let fitted: Event = { ...event };
  while (byteLength(fitted) > maxBytes && (fitted.breadcrumbs?.length ?? 0) > 0) {
    const crumbs = fitted.breadcrumbs ?? [];
    fitted = { ...fitted, breadcrumbs: crumbs.slice(Math.ceil(crumbs.length / 2)) };
  }
  if (byteLength(fitted) > maxBytes) {
    fitted = { ...fitted, contexts: truncateStrings(fitted.contexts, 1024) as Event['contexts'] };
  }
  return fitted;
}

function truncateStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}…[truncated]` : value;
  if (Array.isArray(value)) return value.map((v) => truncateStrings(v, max));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateStrings(v, max)]));
  }
  return value;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
