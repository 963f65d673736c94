import type { BaseTransportOptions, Envelope, Transport } from '@sentry/core';

/**
 * The transport handed to the isolated Sentry client. It does no network I/O: it keeps each event
 * envelope the client produced, by event_id, for the drain loop to send with its own recording
 * transport (transport.ts).
 *
 * Why not let the client send: its transport reports nothing the outbox can act on.
 * `Sentry.flush()` / `client.flush()` return true after a 429, a 413 or a refused connection, and
 * the SDK drops envelopes while a rate limit is in force. The outbox must see the real status and
 * headers (Retry-After, X-Sentry-Rate-Limits) or network error to decide: delete, retry, re-pack,
 * or move to failed/.
 */
export class EnvelopeCapture {
  /** The envelope endpoint the client computed from the DSN (set when the client is created). */
  url = '';
  /** Headers the client asks its transport to send (its User-Agent). */
  headers: Record<string, string> = {};
  private readonly captured = new Map<string, Envelope>();

  /** The transport factory for the client's `transport` option. */
  readonly transport = (options: BaseTransportOptions): Transport => {
    this.url = options.url;
    this.headers = { ...options.headers };
    return {
      send: (envelope) => {
        const eventId = envelope[0].event_id;
        // Anything else the client might emit (client reports, sessions) has no event_id and is not ours to send.
        if (typeof eventId === 'string') this.captured.set(eventId, envelope);
        // An empty response: no status, so the client records no rate limit and drops nothing later.
        return Promise.resolve({});
      },
      flush: () => Promise.resolve(true),
    };
  };

  /** The envelope captured for this event, once (undefined when the client produced none). */
  take(eventId: string): Envelope | undefined {
    const envelope = this.captured.get(eventId);
    this.captured.delete(eventId);
    return envelope;
  }
}
