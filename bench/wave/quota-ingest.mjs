// A Sentry-like ingest for the crash-wave simulation, run in a worker thread on 127.0.0.1 so the
// fleet and the server use both cores. It enforces a per-key quota in fixed windows of simulated
// time (the client sends its fake clock's now in `x-sim-now`; nothing here reads the wall clock):
// over quota it answers 429 with `Retry-After` (seconds to the window's end) and
// `X-Sentry-Rate-Limits: <secs>:error;attachment:key:rate_limited`, as Relay does for a key's rate
// limit. It reads each accepted envelope's event (fingerprint, diag.held_back, budget reasons).
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { quotaPerWindow, windowMs } = workerData;
let stats = fresh();

function fresh() {
  return { requests: [], accepted: new Map(), firstArrival: new Map(), heldBack: 0, heldBackByReason: {}, wireBytes: 0, windows: new Map() };
}

const server = http.createServer({ keepAliveTimeout: 600_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const now = Number(req.headers['x-sim-now']);
    const window = Math.floor(now / windowMs);
    const used = stats.windows.get(window) ?? 0;
    stats.wireBytes += body.length;
    if (used >= quotaPerWindow) {
      stats.requests.push([now, 429]);
      const secs = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
      res.writeHead(429, { 'content-length': '0', 'retry-after': String(secs), 'x-sentry-rate-limits': `${secs}:error;attachment:key:rate_limited` }).end();
      return;
    }
    stats.windows.set(window, used + 1);
    stats.requests.push([now, 200]);
    // Envelope: header line, item header line, event JSON line, then the attachment.
    const lines = body.toString('utf8').split('\n', 3);
    const event = JSON.parse(lines[2]);
    const fingerprint = event.fingerprint[0];
    stats.accepted.set(fingerprint, (stats.accepted.get(fingerprint) ?? 0) + 1);
    if (!stats.firstArrival.has(fingerprint)) stats.firstArrival.set(fingerprint, now);
    const held = event.extra?.['diag.held_back'] ?? 0;
    stats.heldBack += held;
    for (const [reason, n] of Object.entries(event.contexts?.budget?.reasons ?? {})) stats.heldBackByReason[reason] = (stats.heldBackByReason[reason] ?? 0) + n;
    const answer = `{"id":"${event.event_id}"}`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(answer.length) }).end(answer);
  });
});

parentPort.on('message', (message) => {
  if (message === 'reset') {
    stats = fresh();
    parentPort.postMessage('reset');
  } else if (message === 'stats') {
    parentPort.postMessage({ ...stats, accepted: [...stats.accepted], firstArrival: [...stats.firstArrival], windows: undefined });
  } else if (message === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage('closed'));
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
