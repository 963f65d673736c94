// A small HTTP/1.1 client that pipelines POSTs over a few kept-alive connections. The simulation
// sends hundreds of thousands of requests; node:http's client (one request per socket at a time)
// spends most of that in round trips on a loaded machine. The requests and answers are real HTTP
// on 127.0.0.1; answers come back in order on each connection (RFC 9112 section 9.3.2).
import net from 'node:net';

export async function pipelinedClient(port, connections = 8) {
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(port)));
  let turn = 0;
  return {
    post(path, headers, body) {
      const conn = sockets[turn++ % sockets.length];
      return new Promise((resolve, reject) => {
        conn.waiting.push({ resolve, reject });
        const head = [`POST ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, `content-length: ${Buffer.byteLength(body)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
        conn.socket.write(head + body);
      });
    },
    close() {
      for (const conn of sockets) conn.socket.destroy();
    },
  };
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const conn = { socket, waiting: [], buffer: Buffer.alloc(0) };
    socket.once('connect', () => resolve(conn));
    socket.once('error', (error) => {
      reject(error);
      for (const w of conn.waiting.splice(0)) w.reject(error);
    });
    socket.on('data', (chunk) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      for (;;) {
        const end = conn.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = conn.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (conn.buffer.length < end + 4 + length) return;
        conn.buffer = conn.buffer.subarray(end + 4 + length);
        conn.waiting.shift()?.resolve({ status: Number(lines[0].split(' ')[1]), headers });
      }
    });
  });
}
