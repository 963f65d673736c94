import { timeSlicePacer } from '../runtime/time-slice.js';
import { RedactorCache, runBundleJob, type BundleJob, type BundleJobResult } from './bundle-job.js';
import { runMinidumpScrubJob, type MinidumpScrubJob, type MinidumpScrubResult } from './minidump-scrub-job.js';

/** Where bundle jobs (and the outbound minidump scrub) run: a worker thread, or the main thread in slices. Tests inject either. */
export interface BundleRunner {
  run(job: BundleJob): Promise<BundleJobResult>;
  /** Scrubs a minidump in place as it leaves for Sentry; the job's bytes may be handed over to another thread (use the result's). */
  scrubMinidump(job: MinidumpScrubJob): Promise<MinidumpScrubResult>;
  /** Ends what the runner started (the worker thread); jobs after it are refused. */
  close(): Promise<void>;
}

/** How long the main-thread runner works before it gives the event loop a turn. */
export const MAIN_THREAD_SLICE_MS = 4;

/**
 * Runs jobs on the calling thread, yielding to the event loop every few milliseconds between lines:
 * the fallback where a worker thread cannot start. Same bytes as the worker for the same job.
 */
export class MainThreadBundleRunner implements BundleRunner {
  // No scan kernel: building its automaton would be one more long slice on the thread this runner paces.
  private readonly redactors = new RedactorCache({ scanKernel: false });
  private closed = false;

  constructor(private readonly sliceMs = MAIN_THREAD_SLICE_MS) {}

  run(job: BundleJob): Promise<BundleJobResult> {
    if (this.closed) return Promise.reject(new Error('bundle runner is closed'));
    return runBundleJob(job, this.redactors, timeSlicePacer(this.sliceMs));
  }

  scrubMinidump(job: MinidumpScrubJob): Promise<MinidumpScrubResult> {
    if (this.closed) return Promise.reject(new Error('bundle runner is closed'));
    return runMinidumpScrubJob(job, this.redactors, timeSlicePacer(this.sliceMs));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
