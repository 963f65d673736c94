import { promises as fsp } from 'node:fs';
import { DiagError, errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { scrubMinidump, type ScrubStats } from './scrub.js';
import type { SecretFinder } from './secret-finder.js';

/** Bigger than any Crashpad dump of a desktop app (full-memory dumps are not written by default). */
export const MAX_DUMP_BYTES = 1024 * 1024 * 1024;

/** Reads a dump file whole; a missing, directory or oversized path is a typed error naming it. */
export async function readDumpFile(file: string, label = file): Promise<Buffer> {
  let size: number;
  try {
    const stat = await fsp.stat(file);
    if (stat.isDirectory()) throw new DiagError('BAD_INPUT', `${label}: is a directory, expected a minidump file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof DiagError) throw error;
    if (errnoCode(error) === 'ENOENT') throw new DiagError('NOT_FOUND', `${label}: no such minidump file`);
    throw new DiagError('IO', `cannot read ${label}: ${errnoCode(error) ?? String(error)}`, { cause: error });
  }
  if (size > MAX_DUMP_BYTES) throw new DiagError('MINIDUMP_INVALID', `${label}: ${size} bytes is larger than a minidump codex-diag reads (${MAX_DUMP_BYTES})`);
  try {
    return await fsp.readFile(file);
  } catch (error) {
    throw new DiagError('IO', `cannot read ${label}: ${errnoCode(error) ?? String(error)}`, { cause: error });
  }
}

/**
 * Writes the scrubbed copy of `input` to `output` (atomically, mode 0600). The input is never
 * changed; a dump that does not read is an error before anything is written.
 */
export async function writeScrubbedCopy(input: string, output: string, finder: SecretFinder, writer = new AtomicWriter()): Promise<ScrubStats & { bytes: number }> {
  const bytes = await readDumpFile(input);
  const stats = naming(input, () => scrubMinidump(bytes, finder));
  await writer.write(output, bytes);
  return { ...stats, bytes: bytes.byteLength };
}

/** Runs `read` so that a MINIDUMP_INVALID error names the file it came from. */
export function naming<T>(label: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DiagError && error.code === 'MINIDUMP_INVALID') throw new DiagError(error.code, `${label}: ${error.message}`, { cause: error });
    throw error;
  }
}
