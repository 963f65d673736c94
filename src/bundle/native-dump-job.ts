import path from 'node:path';
import { oneLine } from '../errors.js';
import type { Pacer } from '../runtime/time-slice.js';
import type { NativeDumpInput } from './native-entry.js';
import type { Redactor } from './redactor.js';

/** Which dump a bundle job carries, as plain data that crosses to the bundle worker. */
export interface NativeDumpSpec {
  /** The dump in the crash dir: read, never written. */
  file: string;
  /** `raw` only by the app's explicit choice; anything else is scrubbed. */
  mode: 'scrubbed' | 'raw';
}

/**
 * Reads a dump into memory (a copy: the file in the crash dir is never changed), summarises it and
 * scrubs the copy in place, paced on the main thread. A dump that cannot be read is not an error:
 * the bundle is still written, its manifest saying why the dump is not in it.
 */
export async function prepareNativeDump(spec: NativeDumpSpec, identity: { homedir: string; username: string }, redactor: Redactor, pacer?: Pacer): Promise<NativeDumpInput> {
  const id = path.basename(spec.file).replace(/\.dmp$/i, '');
  const empty = { id, processType: null, crashReason: null, crashingModule: null, scrub: null };
  const [{ readDumpFile }, { summariseMinidump }, { scrubMinidumpPaced }, { createSecretFinder }] = await Promise.all([
    import('../minidump/dump-file.js'),
    import('../minidump/summary.js'),
    import('../minidump/scrub.js'),
    import('../minidump/secret-finder.js'),
  ]);
  let bytes: Buffer;
  let summary;
  try {
    bytes = await readDumpFile(spec.file, `minidump ${id}`);
    summary = summariseMinidump(bytes);
  } catch (error) {
    return { ...empty, bytes: null, omitted: oneLine(error) };
  }
  const base = { id, processType: summary.processType, crashReason: summary.crashReason, crashingModule: summary.crashingModule ? path.basename(summary.crashingModule) : null };
  if (spec.mode === 'raw') return { ...base, bytes, scrub: null };
  const scrub = await scrubMinidumpPaced(bytes, createSecretFinder({ redactor, ...identity }), pacer);
  return { ...base, bytes, scrub };
}
