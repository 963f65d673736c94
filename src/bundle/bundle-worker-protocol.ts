import type { BundleJob, BundleJobResult } from './bundle-job.js';

/** Main thread → bundle worker. */
export interface WorkerRequest {
  id: number;
  job: BundleJob;
}

/** Bundle worker → main thread: `ready` once it listens, then one reply per request. */
export type WorkerReply =
  | { ready: true }
  | { id: number; ok: true; result: BundleJobResult }
  | { id: number; ok: false; error: { message: string; code?: string } };
