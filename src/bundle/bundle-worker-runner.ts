import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BundleJob, BundleJobResult } from './bundle-job.js';
import { MainThreadBundleRunner, type BundleRunner } from './bundle-runner.js';
import type { WorkerReply, WorkerRequest, WorkerTask } from './bundle-worker-protocol.js';
import type { MinidumpScrubJob, MinidumpScrubResult } from './minidump-scrub-job.js';

/** What the runner needs of a worker thread (node:worker_threads Worker; tests pass their own). */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (reply: WorkerReply) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
  unref(): void;
}

export interface WorkerBundleRunnerOptions {
  /** The worker's entry file; default the compiled bundle-worker.js. */
  entry?: URL;
  startWorker?: (entry: URL) => WorkerLike;
  /** Where jobs go when no worker can start; default the main-thread runner. */
  fallback?: BundleRunner;
  /** The worker could not start (or died before it was ready): later jobs run on the fallback. */
  onFallback?: (error: unknown) => void;
}

interface PendingJob {
  task: WorkerTask;
  /** False for a scrub held until the worker is ready: its bytes are only handed over to a worker that runs. */
  posted: boolean;
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

/**
 * The compiled worker entry. From dist it sits beside this module; when this module runs as
 * TypeScript source (src/bundle under a test runner) the entry is the one `npm run build` put in dist.
 */
export function bundleWorkerEntry(moduleUrl: string = import.meta.url): URL {
  const sibling = new URL('./bundle-worker.js', moduleUrl);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/bundle/bundle-worker.js', moduleUrl);
}

/**
 * Runs bundle jobs in one worker thread, started on the first job and ended by `close()`, so the
 * host's event loop only posts the job and receives the result. A worker that cannot start sends
 * its jobs, and every later one, to the fallback; one that dies after starting fails its jobs and
 * is started again by the next.
 */
export class WorkerBundleRunner implements BundleRunner {
  private worker: WorkerLike | undefined;
  private ready = false;
  private broken = false;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, PendingJob>();
  private readonly fallback: BundleRunner;
  /** Workers started so far (lazy start is observable). */
  startedCount = 0;

  constructor(private readonly options: WorkerBundleRunnerOptions = {}) {
    this.fallback = options.fallback ?? new MainThreadBundleRunner();
  }

  /** True while a worker thread is running (or starting). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** True once jobs go to the fallback because no worker could start. */
  get fellBack(): boolean {
    return this.broken;
  }

  run(job: BundleJob): Promise<BundleJobResult> {
    return this.submit({ job });
  }

  /**
   * Scrubs the dump in the worker; the bytes are transferred there and back (no copy, and the
   * job's buffer is detached), and only once the worker is ready, so a worker that never starts
   * leaves them whole for the fallback.
   */
  scrubMinidump(job: MinidumpScrubJob): Promise<MinidumpScrubResult> {
    return this.submit<MinidumpScrubResult>({ scrub: job }).then(({ bytes, stats }) => ({ bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), stats }));
  }

  private submit<R>(task: WorkerTask): Promise<R> {
    if (this.closed) return Promise.reject(new Error('bundle runner is closed'));
    const worker = this.broken ? undefined : this.ensureWorker();
    if (!worker) return this.onFallback(task) as Promise<R>;
    return new Promise<R>((resolve, reject) => {
      const id = this.nextId++;
      const pending: PendingJob = { task, posted: false, resolve: resolve as (result: never) => void, reject };
      this.pending.set(id, pending);
      if (this.ready || !('scrub' in task)) this.post(worker, id, pending);
    });
  }

  private post(worker: WorkerLike, id: number, pending: PendingJob): void {
    pending.posted = true;
    try {
      if ('scrub' in pending.task) {
        const scrub = ownBuffer(pending.task.scrub);
        worker.postMessage({ id, scrub }, [scrub.bytes.buffer as ArrayBuffer]);
      } else {
        worker.postMessage({ id, ...pending.task });
      }
    } catch (error) {
      // A job that cannot be cloned: its own failure, not the worker's.
      this.pending.delete(id);
      pending.reject(error as Error);
    }
  }

  private onFallback(task: WorkerTask): Promise<unknown> {
    return 'scrub' in task ? this.fallback.scrubMinidump(task.scrub) : this.fallback.run(task.job);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.rejectPending(new Error('bundle runner closed before the bundle was written'));
    await Promise.allSettled([worker?.terminate(), this.fallback.close()]);
  }

  private ensureWorker(): WorkerLike | undefined {
    if (this.worker) return this.worker;
    let worker: WorkerLike;
    try {
      const entry = this.options.entry ?? bundleWorkerEntry();
      worker = (this.options.startWorker ?? ((url: URL) => new Worker(url) as unknown as WorkerLike))(entry);
    } catch (error) {
      this.fallBack(error);
      return undefined;
    }
    this.startedCount++;
    this.worker = worker;
    this.ready = false;
    // The worker must never keep the host alive; pending jobs are bounded by close().
    worker.unref();
    worker.on('message', (reply) => {
      if (worker !== this.worker) return;
      if ('ready' in reply) {
        this.ready = true;
        for (const [id, pending] of this.pending) if (!pending.posted) this.post(worker, id, pending);
        return;
      }
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (reply.ok) job.resolve(reply.result as never);
      else job.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`bundle worker exited with code ${code}`)));
    return worker;
  }

  /** The worker failed or exited (not through close). */
  private lost(worker: WorkerLike, error: Error): void {
    if (worker !== this.worker || this.closed) return;
    this.worker = undefined;
    if (this.ready) {
      this.rejectPending(error);
      return;
    }
    // It never started: its jobs have not run, so they run on the fallback.
    this.fallBack(error);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) this.onFallback(p.task).then(p.resolve as (result: unknown) => void, p.reject);
  }

  private fallBack(error: unknown): void {
    this.broken = true;
    try {
      this.options.onFallback?.(error);
    } catch {
      // a reporting callback must not stop the jobs
    }
  }

  private rejectPending(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(error);
  }
}

/** The job with bytes that own their whole buffer, so transferring them detaches nothing else (a pooled small Buffer is copied). */
function ownBuffer(job: MinidumpScrubJob): MinidumpScrubJob {
  const { bytes } = job;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return job;
  return { ...job, bytes: new Uint8Array(bytes) };
}
