import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** How the ingest answers one request (tests and the demo program it). */
export type IngestFault =
  | { status: number; headers?: Record<string, string>; body?: string; /** answer after this long */ delayMs?: number }
  | { hang: true; /** take the envelope (kept in `envelopes`) but never answer: a server whose answer is lost */ record?: boolean }
  | { reset: 'mid-body' };

/** One envelope item as parsed: headers and either JSON or bytes. */
export type IngestItem = [Record<string, unknown>, unknown];

export interface ReceivedEnvelope {
  project: string;
  headers: Record<string, unknown>;
  items: IngestItem[];
  /** Bytes on the wire (before gunzip). */
  wireBytes: number;
  contentEncoding: string | null;
  contentType: string | null;
  receivedAt: number;
}

export interface IngestRequestRecord {
  project: string;
  status: number | 'hang' | 'reset';
  wireBytes: number;
}

export interface LocalIngestOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Also write each accepted envelope to `<dir>/<event_id or n>.envelope`. */
  dir?: string;
  /** Answers for the next requests, in order; when empty, 200. */
  faults?: IngestFault[];
  /** Called per request; its answer, when given, wins over `faults`. */
  faultFor?: (request: { index: number; project: string }) => IngestFault | undefined;
  /** Public key the DSN carries (default 'localkey'). */
  publicKey?: string;
}

export interface LocalIngest {
  dsn: string;
  url: string;
  port: number;
  /** Accepted envelopes, in arrival order. */
  envelopes: ReceivedEnvelope[];
  requests: IngestRequestRecord[];
  /** Bodies received in full, answered or not (a hung or delayed request shows here first). */
  received: Array<{ project: string; wireBytes: number }>;
  /** Queue answers for the next requests. */
  fault(...faults: IngestFault[]): void;
  /** The event payload of every accepted envelope. */
  events(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * A small Sentry-compatible ingest on 127.0.0.1: POST /api/:project/envelope/, gunzips, parses with
 * @sentry/core's parseEnvelope, keeps envelopes in memory (and optionally on disk), and can be told to
 * answer any status, hang, or reset the connection mid-body. The tests and `codex-diag demo` use it.
 */
export async function startLocalIngest(options: LocalIngestOptions = {}): Promise<LocalIngest> {
  const { parseEnvelope } = await import('@sentry/core');
  const envelopes: ReceivedEnvelope[] = [];
  const requests: IngestRequestRecord[] = [];
  const received: Array<{ project: string; wireBytes: number }> = [];
  const queued: IngestFault[] = [...(options.faults ?? [])];
  const sockets = new Set<Socket>();
  let index = 0;
  if (options.dir) await fsp.mkdir(options.dir, { recursive: true });

  const server = http.createServer((req, res) => {
    const match = /^\/api\/([^/]+)\/envelope\/?(?:\?.*)?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const project = match[1];
    const fault = options.faultFor?.({ index, project }) ?? queued.shift();
    index++;
    if (fault && 'reset' in fault) {
      req.once('data', (chunk: Buffer) => {
        requests.push({ project, status: 'reset', wireBytes: chunk.length });
        req.socket.destroy();
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      received.push({ project, wireBytes: wire.length });
      if (fault && 'hang' in fault) {
        if (fault.record) keep(wire);
        requests.push({ project, status: 'hang', wireBytes: wire.length });
        return; // never answer; close() destroys the socket
      }
      const respond = () => {
        if (fault && fault.status !== 200) {
          requests.push({ project, status: fault.status, wireBytes: wire.length });
          res.writeHead(fault.status, fault.headers ?? {}).end(fault.body ?? '');
          return;
        }
        accept(wire, fault);
      };
      if (fault?.delayMs) setTimeout(respond, fault.delayMs);
      else respond();
    });
    /** Parses and keeps an envelope; the error text when it does not parse. */
    const keep = (wire: Buffer): { envelope: ReceivedEnvelope; body: Buffer } | string => {
      const encoding = req.headers['content-encoding'] ?? null;
      let body: Buffer;
      let parsed: ReturnType<typeof parseEnvelope>;
      try {
        body = encoding === 'gzip' ? gunzipSync(wire) : wire;
        parsed = parseEnvelope(body);
      } catch (error) {
        return (error as Error).message;
      }
      const envelope: ReceivedEnvelope = {
        project,
        headers: parsed[0] as Record<string, unknown>,
        items: parsed[1] as unknown as IngestItem[],
        wireBytes: wire.length,
        contentEncoding: encoding,
        contentType: req.headers['content-type'] ?? null,
        receivedAt: Date.now(),
      };
      envelopes.push(envelope);
      return { envelope, body };
    };
    const accept = (wire: Buffer, fault: IngestFault | undefined) => {
      const extraHeaders = fault && 'status' in fault ? (fault.headers ?? {}) : {};
      const kept = keep(wire);
      if (typeof kept === 'string') {
        requests.push({ project, status: 400, wireBytes: wire.length });
        res.writeHead(400).end(`bad envelope: ${kept}`);
        return;
      }
      const { envelope, body } = kept;
      requests.push({ project, status: 200, wireBytes: wire.length });
      const eventId = typeof envelope.headers.event_id === 'string' ? envelope.headers.event_id : undefined;
      const write = options.dir
        ? fsp.writeFile(path.join(options.dir, `${eventId ?? envelopes.length}-${envelopes.length}.envelope`), body, { mode: 0o600 })
        : Promise.resolve();
      write.then(
        () => res.writeHead(200, { 'Content-Type': 'application/json', ...extraHeaders }).end(JSON.stringify({ id: eventId ?? null })),
        () => res.writeHead(500).end(),
      );
    };
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const publicKey = options.publicKey ?? 'localkey';
  return {
    dsn: `http://${publicKey}@127.0.0.1:${port}/1`,
    url: `http://127.0.0.1:${port}`,
    port,
    envelopes,
    requests,
    received,
    fault: (...faults) => queued.push(...faults),
    events: () =>
      envelopes.flatMap((e) => e.items.filter(([h]) => h.type === 'event').map(([, payload]) => payload as Record<string, unknown>)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
