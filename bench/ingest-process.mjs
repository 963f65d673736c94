// A local Sentry-compatible ingest in a process of its own, so a bench that uploads measures only the
// sender's event loop (parsing a big envelope would otherwise run on the thread being measured).
// Started with fork(): sends { dsn } once listening; answers { minidumps } with the sha256 of each
// event.minidump it received, and closes on { close }.
import { createHash } from 'node:crypto';
import { startLocalIngest } from '../dist/upload/local-ingest.js';

const ingest = await startLocalIngest();
process.send({ dsn: ingest.dsn });
process.on('message', async (message) => {
  if (message.minidumps) {
    const hashes = ingest.envelopes.map((e) => e.items.find(([h]) => h.attachment_type === 'event.minidump')).filter(Boolean).map(([, payload]) => createHash('sha256').update(payload).digest('hex'));
    process.send({ minidumps: hashes });
  }
  if (message.close) {
    await ingest.close();
    process.disconnect();
  }
});
