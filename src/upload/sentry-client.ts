import type { Attachment, Envelope, Event, EventHint, Scope } from '@sentry/core';
import type { NodeClient } from '@sentry/node';
import { DiagError } from '../errors.js';
import { packageVersion } from '../version.js';
import type { BundleUpload } from './bundle-event.js';
import { EnvelopeCapture } from './capture-transport.js';
import type { ParsedDsn } from './dsn.js';
import { fitEvent } from './size-limits.js';

/** @sentry/node, and @sentry/core it is built on (envelope serialisation, rate-limit parsing). */
export interface SentryModules {
  node: typeof import('@sentry/node');
  core: typeof import('@sentry/core');
}

/**
 * Loads Sentry on first use only: importing the uploader (and so codex-diag) must cost the host
 * app's start-up nothing. The promise is held by the caller (an Uploader or one drain), not the module.
 */
export async function loadSentry(): Promise<SentryModules> {
  const [node, core] = await Promise.all([import('@sentry/node'), import('@sentry/core')]);
  return { node, core };
}

/** One event envelope as the isolated client produced it, serialised, ready to POST. */
export interface CapturedEnvelope {
  body: Uint8Array;
  /** The envelope endpoint for the DSN, as the client computed it. */
  url: string;
  /** Headers the client asks for (its User-Agent). */
  headers: Record<string, string>;
  /** Bytes of the event item's JSON (Sentry's 1 MB limit applies to it). */
  eventBytes: number;
  breadcrumbs: number;
}

/** Extra passes when the client's additions push a fitted event over the limit. */
const MAX_REFITS = 3;
/** How long the client may take to process one event before it counts as dropped. */
const CAPTURE_TIMEOUT_MS = 5_000;

/**
 * A real @sentry/node client of its own, never `Sentry.init`: the host app may run its own Sentry,
 * and nothing here may change it. So:
 * - the client is created with `new NodeClient(...)` and bound to a private scope and isolation
 *   scope; it is never set on the global, current or isolation scope, and `client.init()` is not
 *   called (NodeClient.init installs a process-wide async context strategy; with no integrations
 *   there is nothing else for it to set up);
 * - no integrations (so no global handlers, no instrumentation), no server name (the machine's
 *   host name is not the reviewer's business), no runtime channel injection, no client reports,
 *   no sampling, no beforeSend;
 * - the client prepares the event (SDK metadata, normalisation, environment) and builds the
 *   envelope with both attachments; its transport only captures it (capture-transport.ts).
 * `close()` removes the client's process listener; call it when the drain ends.
 */
export class IsolatedSentryClient {
  private readonly capture = new EnvelopeCapture();
  private readonly client: NodeClient;
  private readonly scope: Scope;
  private readonly isolationScope: Scope;
  /** What each event in processing must carry, by event_id (see keepOwnData). */
  private readonly inFlight = new Map<string, { event: Event; attachments: Attachment[] }>();

  constructor(private readonly sentry: SentryModules, dsn: ParsedDsn) {
    const { NodeClient, Scope, defaultStackParser } = sentry.node;
    this.client = new NodeClient({
      dsn: dsn.dsn,
      // Client options take the integrations as given: none. (`defaultIntegrations: false` is an
      // option of Sentry.init, which is exactly what is not used here.)
      integrations: [],
      transport: this.capture.transport,
      stackParser: defaultStackParser,
      sendClientReports: false,
      includeServerName: false,
      enableRuntimeChannelInjection: false,
      // No span streaming integration is added to a client that sends no spans.
      traceLifecycle: 'static',
      maxBreadcrumbs: 100,
      // The incident and startup contexts nest (startup.history[i].field): the default depth, 3, would cut them.
      normalizeDepth: 8,
      sampleRate: 1,
    });
    if (!this.client.getDsn() || !this.client.getTransport()) {
      // close() removes the client's beforeExit listener before its first await.
      void Promise.resolve(this.client.close(1)).catch(() => undefined);
      throw new DiagError('BAD_DSN', `invalid Sentry DSN '${dsn.dsn}': the Sentry client does not accept it (expected https://<key>@<host>/<project id>)`);
    }
    this.client.addEventProcessor((event, hint) => this.keepOwnData(event, hint));
    this.scope = new Scope();
    this.scope.setClient(this.client);
    this.isolationScope = new Scope();
  }

  /**
   * Runs the bundle's event through the client and returns the envelope it built, serialised.
   * The event_id is the outbox item's (a retry is never a duplicate). The event is fitted under
   * `maxEventBytes` before capture; if the client's own additions push it over, it is fitted
   * tighter by the overflow and captured again.
   */
  async captureBundle(upload: BundleUpload, maxEventBytes: number): Promise<CapturedEnvelope> {
    let budget = maxEventBytes;
    for (let pass = 0; ; pass++) {
      const event = fitEvent(upload.event, Math.max(budget, 0));
      const envelope = await this.captureOnce(event, upload.attachments);
      const eventBytes = eventItemBytes(envelope);
      if (eventBytes <= maxEventBytes || pass >= MAX_REFITS) {
        const serialized = this.sentry.core.serializeEnvelope(envelope);
        return {
          body: typeof serialized === 'string' ? new TextEncoder().encode(serialized) : serialized,
          url: this.capture.url,
          headers: this.capture.headers,
          eventBytes,
          breadcrumbs: event.breadcrumbs?.length ?? 0,
        };
      }
      budget -= eventBytes - maxEventBytes + 256;
    }
  }

  /** Flushes nothing (the transport sends nothing) and removes the client's process listener. */
  async close(): Promise<void> {
    try {
      await this.client.close(100);
    } finally {
      this.client.dispose();
    }
  }

  private async captureOnce(event: Event, attachments: BundleUpload['attachments']): Promise<Envelope> {
    const eventId = event.event_id;
    if (!eventId) throw new DiagError('INTERNAL', 'a bundle event has no event_id');
    const own = {
      // The client stamps its own SDK (sentry.javascript.node) and package; this adds the program that built the event.
      event: { ...event, sdk: { ...event.sdk, packages: [...(event.sdk?.packages ?? []), { name: 'npm:codex-diag', version: packageVersion }] } },
      attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, data: a.data, ...(a.attachmentType ? { attachmentType: a.attachmentType } : {}) })),
    };
    this.inFlight.set(eventId, own);
    try {
      const hint: EventHint = { event_id: eventId, attachments: own.attachments };
      this.client.captureEvent(
        // Our scopes, not the process's: captureEvent otherwise reads the global isolation scope
        // (the host's breadcrumbs, tags, user) and sets its last event id.
        { ...own.event, sdkProcessingMetadata: { capturedSpanScope: this.scope, capturedSpanIsolationScope: this.isolationScope } },
        hint,
        this.scope,
      );
      // With no integrations the client hands the envelope to the transport synchronously; flush
      // waits for any processing still running, so "nothing captured" below means dropped.
      await this.client.flush(CAPTURE_TIMEOUT_MS);
      const envelope = this.capture.take(eventId);
      if (!envelope) throw new DiagError('INTERNAL', `the Sentry client produced no envelope for event ${eventId}`);
      if (envelope[0].event_id !== eventId) throw new DiagError('INTERNAL', `the Sentry client changed event id ${eventId}`);
      return envelope;
    } finally {
      this.inFlight.delete(eventId);
    }
  }

  /**
   * The event carries the bundle's data and nothing of the process's global scope: a host app's
   * `getGlobalScope()` tags, user, breadcrumbs or attachments would otherwise be merged in (the SDK
   * always applies the global scope). The client's own context (runtime) is kept.
   */
  private keepOwnData(event: Event, hint: EventHint): Event {
    const own = event.event_id ? this.inFlight.get(event.event_id) : undefined;
    if (!own) return event;
    const { event: source, attachments } = own;
    hint.attachments = attachments;
    const kept: Event = {
      ...event,
      level: source.level,
      fingerprint: source.fingerprint,
      tags: source.tags,
      breadcrumbs: source.breadcrumbs,
      contexts: { ...(event.contexts?.runtime ? { runtime: event.contexts.runtime } : {}), ...source.contexts },
    };
    delete kept.user;
    delete kept.extra;
    if (source.user) kept.user = source.user;
    if (source.extra) kept.extra = source.extra;
    return kept;
  }
}

function eventItemBytes(envelope: Envelope): number {
  const item = envelope[1].find(([header]) => header.type === 'event');
  return item ? Buffer.byteLength(JSON.stringify(item[1])) : 0;
}
