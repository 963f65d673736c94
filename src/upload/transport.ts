import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** One envelope POST. */
export interface TransportRequest {
  url: string;
  body: Uint8Array;
  headers: Record<string, string>;
  /** Aborted when the request's time is up; the transport must settle promptly then. */
  signal: AbortSignal;
}

/** The real HTTP outcome: what the server said, or how the connection failed. */
export type TransportResponse =
  | { kind: 'http'; status: number; headers: Record<string, string> }
  | {
      kind: 'network';
      code: string;
      message: string;
      /**
       * Whether the whole request had been handed to the connection when it failed: false means the
       * server cannot have it; true or absent, it may have it (a timeout waiting for the answer).
       */
      requestSent?: boolean;
    };

/** The injectable edge under the uploader (tests pass their own; the default speaks node:http). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Bodies above this are gzipped, as Sentry's own Node transport does. */
const GZIP_THRESHOLD = 32 * 1024;

/**
 * Sends with node:http(s) and reports the real status and headers. Sentry.flush() would report
 * success after a 429, a 413 or a refused connection; this never hides an outcome. No keep-alive
 * agent, so nothing lingers to hold the host process open. The body is gzipped on libuv's thread
 * pool: a bundle with a minidump makes a body of megabytes, which gzipSync would compress on the
 * host's main thread for a few hundred ms.
 */
export const nodeHttpTransport: Transport = async (request) => {
  let body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  const headers: Record<string, string> = { ...request.headers };
  if (body.length > GZIP_THRESHOLD) {
    body = await gzipAsync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = String(body.length);
  return post(request, body, headers);
};

function post(request: TransportRequest, body: Buffer, headers: Record<string, string>): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve) => {
    let settled = false;
    let requestSent = false;
    const settle = (response: TransportResponse) => {
      if (settled) return;
      settled = true;
      request.signal.removeEventListener('abort', onAbort);
      resolve(response);
    };
    const onAbort = () => {
      req.destroy();
      settle({ kind: 'network', code: 'ETIMEDOUT', message: 'request aborted: time budget spent', requestSent });
    };
    const url = new URL(request.url);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'POST', headers, agent: false }, (res) => {
      // Drain the body so the socket closes; the status and headers are the outcome.
      res.resume();
      res.on('error', () => undefined);
      res.on('end', () => settle({ kind: 'http', status: res.statusCode ?? 0, headers: flattenHeaders(res.headers) }));
      res.on('close', () => settle({ kind: 'http', status: res.statusCode ?? 0, headers: flattenHeaders(res.headers) }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'network', code: error.code ?? 'EUNKNOWN', message: error.message, requestSent }));
    // 'finish': the last byte of the body went to the socket.
    req.on('finish', () => (requestSent = true));
    if (request.signal.aborted) return onAbort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
