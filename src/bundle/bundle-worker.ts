/**
 * Entry of the bundle worker thread (run from dist as a plain .js file): receives jobs, builds the
 * bundles (log tail, redaction, parsing, hashing, zip) and scrubs outgoing minidumps, and answers
 * each with its result or error.
 */
import { parentPort } from 'node:worker_threads';
import { RedactorCache, runBundleJob } from './bundle-job.js';
import type { WorkerReply, WorkerRequest } from './bundle-worker-protocol.js';
import { runMinidumpScrubJob } from './minidump-scrub-job.js';

function serve(port: NonNullable<typeof parentPort>): void {
  const redactors = new RedactorCache();
  port.on('message', (request: WorkerRequest) => {
    const fail = (error: unknown) => port.postMessage({ id: request.id, ok: false, error: errorOf(error) } satisfies WorkerReply);
    if ('scrub' in request) {
      // The dump's bytes came transferred and go back the same way: no copy on the host's thread.
      runMinidumpScrubJob(request.scrub, redactors).then((result) => port.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply, [result.bytes.buffer as ArrayBuffer]), fail);
      return;
    }
    runBundleJob(request.job, redactors).then((result) => port.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply), fail);
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}

function errorOf(error: unknown): { message: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}

if (parentPort) serve(parentPort);
