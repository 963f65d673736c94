import type { BundleJob, BundleJobResult } from './bundle-job.js';
import type { MinidumpScrubJob, MinidumpScrubResult } from './minidump-scrub-job.js';

/** What the main thread asks of the bundle worker: a bundle, or a minidump scrubbed on its way out. */
export type WorkerTask = { job: BundleJob } | { scrub: MinidumpScrubJob };

/** Main thread → bundle worker. */
export type WorkerRequest = { id: number } & WorkerTask;

/** Bundle worker → main thread: `ready` once it listens, then one reply per request. */
export type WorkerReply =
  | { ready: true }
  | { id: number; ok: true; result: BundleJobResult | MinidumpScrubResult }
  | { id: number; ok: false; error: { message: string; code?: string } };
