import type { ScrubStats } from '../minidump/scrub.js';
import type { Pacer } from '../runtime/time-slice.js';
import type { RedactorCache } from './bundle-job.js';

/** A minidump to scrub on its way out, as plain data that crosses to the bundle worker (its bytes are transferred, not copied). */
export interface MinidumpScrubJob {
  bytes: Uint8Array;
  /** Whose home dir and user name are scrubbed, beside the redactor's detectors. */
  redaction: { homedir: string; username: string };
}

export interface MinidumpScrubResult {
  /** The same bytes, scrubbed in place. */
  bytes: Uint8Array;
  stats: ScrubStats;
}

/**
 * Scrubs a job's dump in place with the redactor for its user: in one go in the bundle worker, or,
 * paced by `pacer`, on the main thread. Same bytes either way. Throws MINIDUMP_INVALID for a dump
 * it cannot read, before changing anything.
 */
export async function runMinidumpScrubJob(job: MinidumpScrubJob, redactors: RedactorCache, pacer?: Pacer): Promise<MinidumpScrubResult> {
  const [{ scrubMinidump, scrubMinidumpPaced }, { createSecretFinder }] = await Promise.all([import('../minidump/scrub.js'), import('../minidump/secret-finder.js')]);
  const finder = createSecretFinder({ redactor: await redactors.get(job.redaction), ...job.redaction });
  const stats = pacer ? await scrubMinidumpPaced(job.bytes, finder, pacer) : scrubMinidump(job.bytes, finder);
  return { bytes: job.bytes, stats };
}
