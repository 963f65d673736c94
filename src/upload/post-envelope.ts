import type { Clock } from '../clock.js';
import { oneLine } from '../errors.js';
import { packageVersion } from '../version.js';
import type { Transport, TransportResponse } from './transport.js';

export interface EnvelopePost {
  transport: Transport;
  clock: Clock;
  url: string;
  body: Uint8Array;
  /** The SDK's own User-Agent, appended to codex-diag's. */
  sdkAgent?: string;
  timeoutMs: number;
  /** The drain's signal: aborting it aborts the request. */
  signal?: AbortSignal;
}

/**
 * POSTs one envelope with its own time limit and reports the real outcome; a transport that throws
 * is a network failure, never a crash of the drain.
 */
export async function postEnvelope(post: EnvelopePost): Promise<TransportResponse> {
  const controller = new AbortController();
  const timer = post.clock.setTimeout(() => controller.abort(), Math.max(post.timeoutMs, 1));
  const outer = post.signal;
  const abort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener('abort', abort, { once: true });
  try {
    return await post.transport({
      url: post.url,
      body: post.body,
      headers: { 'Content-Type': 'application/x-sentry-envelope', 'User-Agent': `codex-diag/${packageVersion}${post.sdkAgent ? ` ${post.sdkAgent}` : ''}` },
      signal: controller.signal,
    });
  } catch (error) {
    return { kind: 'network', code: (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN', message: oneLine(error) };
  } finally {
    post.clock.clearTimeout(timer);
    outer?.removeEventListener('abort', abort);
  }
}
