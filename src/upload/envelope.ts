import type { Event } from '@sentry/core';
import type { BundleUpload } from './bundle-event.js';

/** Sentry's ingest limits (https://develop.sentry.dev/sdk/data-model/envelopes/#size-limits). */
export const MAX_EVENT_BYTES = 1_000_000;
export const MAX_REQUEST_BYTES = 20_000_000;

type SentryCore = typeof import('@sentry/core');

/**
 * Loads @sentry/core on first use only: importing the uploader (and so codex-diag) must cost the
 * host app's start-up nothing. The promise is held by the caller (an Uploader), not the module.
 */
export function loadSentryCore(): Promise<SentryCore> {
  return import('@sentry/core');
}

export interface SerializedEnvelope {
  body: Uint8Array;
  eventBytes: number;
  breadcrumbs: number;
}

/**
 * Serialises one bundle as an envelope: the event, then the bundle zip and tail.log as attachments.
 * An event over the 1 MB limit loses its oldest breadcrumbs (halving) and then long context strings,
 * rather than being refused by the server. The request limit is the caller's (it re-packs the bundle).
 */
export function serializeBundleEnvelope(core: SentryCore, upload: BundleUpload, maxEventBytes = MAX_EVENT_BYTES): SerializedEnvelope {
  const event = fitEvent(upload.event, maxEventBytes);
  // createEventEnvelope mutates the event (sdk info); give it a copy.
  let envelope = core.createEventEnvelope({ ...event }, undefined, { sdk: { name: 'codex-diag', version: event.sdk?.version ?? '0' } } as never);
  for (const attachment of upload.attachments) {
    envelope = core.addItemToEnvelope(
      envelope,
      core.createAttachmentEnvelopeItem({ filename: attachment.filename, contentType: attachment.contentType, data: attachment.data }),
    );
  }
  const serialized = core.serializeEnvelope(envelope);
  const body = typeof serialized === 'string' ? new TextEncoder().encode(serialized) : serialized;
  return { body, eventBytes: byteLength(event), breadcrumbs: event.breadcrumbs?.length ?? 0 };
}

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
