import { constants as fsConstants, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { DiagError, errnoCode } from '../errors.js';
import type { AtomicWriter } from '../fs/atomic-write.js';
import { pidIsAlive } from '../pid-alive.js';
import { sweepStaleTempFiles } from '../fs/sweep-temp.js';

/** Where the last good file is kept before a rewrite replaces it. */
export function backupPathFor(file: string): string {
  return `${file}.bak`;
}

/** `state.json` -> `state.corrupt-20261121T005448123Z.json`, in the same directory. */
export function corruptPathFor(file: string, nowMs: number, attempt = 0): string {
  const ext = path.extname(file) || '.json';
  const stem = path.basename(file, path.extname(file));
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, '');
  const suffix = attempt === 0 ? '' : `-${attempt + 1}`;
  return path.join(path.dirname(file), `${stem}.corrupt-${stamp}${suffix}${ext}`);
}

/**
 * The largest state file read. A real one is a few KiB (50 launches, 200 incident counters); a bigger
 * file is not one this build wrote, and reading it whole would cost the app its memory.
 */
export const MAX_STATE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * The file's bytes, or undefined when there is no file (also when a path component is not a
 * directory). Throws DiagError: BAD_INPUT for a directory, FIFO or device (never opened: a FIFO
 * would block the read), STATE_CORRUPT for a file over MAX_STATE_FILE_BYTES, IO otherwise.
 */
export async function readStateBytes(file: string): Promise<Buffer | undefined> {
  try {
    const stats = await fsp.stat(file);
    if (!stats.isFile()) {
      throw new DiagError('BAD_INPUT', `state file ${file} is ${describeNonFile(stats)}, expected a JSON file; left untouched`);
    }
    if (stats.size > MAX_STATE_FILE_BYTES) {
      throw new DiagError(
        'STATE_CORRUPT',
        `state file ${file} is ${stats.size} bytes, more than the ${MAX_STATE_FILE_BYTES} a state file can be`,
      );
    }
    return await fsp.readFile(file);
  } catch (error) {
    if (error instanceof DiagError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new DiagError('IO', `cannot read state file ${file}: ${code ?? String(error)}`, { cause: error });
  }
}

function describeNonFile(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * The path state is read from and written to: a symlinked state file (kept in a dotfiles repo, say)
 * resolves to its target, so a save replaces the target and keeps the link, instead of replacing
 * the link with a file and leaving the target stale. A missing or dangling path is used as given.
 */
export async function resolveStateFile(file: string): Promise<string> {
  try {
    return await fsp.realpath(file);
  } catch {
    return file;
  }
}

/**
 * Moves a corrupt file aside by rename, so the copy is the original byte for byte, under a name
 * that does not exist yet (a rename would silently replace an earlier corrupt copy).
 */
export async function moveAside(file: string, nowMs: number): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const target = corruptPathFor(file, nowMs, attempt);
    if (await exists(target)) continue;
    await fsp.rename(file, target);
    return target;
  }
  throw new DiagError('IO', `cannot find a free name to move ${file} aside`);
}

/**
 * A rename replaces a read-only file on POSIX, but not on Windows; honour the user's read-only
 * bit everywhere (and as root, where access(2) would say yes) by checking the mode itself.
 */
async function assertReplaceable(file: string): Promise<void> {
  let mode: number;
  try {
    mode = (await fsp.stat(file)).mode;
  } catch {
    return; // no file yet, or not reachable: the write itself reports that
  }
  if ((mode & fsConstants.S_IWUSR) === 0) {
    throw new DiagError(
      'STATE_UNWRITABLE',
      `state file ${file} is read-only (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); left as it was`,
    );
  }
}

export interface WriteStateOptions {
  /** Bytes of the last good file, written to `<file>.bak` before the file is replaced. */
  backup?: Uint8Array;
  /** Where to write `backup` instead of `<file>.bak`. */
  backupPath?: string;
}

/** Writes the state file atomically (0600), keeping the backup first. Every failure is STATE_UNWRITABLE. */
export async function writeStateFile(
  writer: AtomicWriter,
  file: string,
  text: string,
  options: WriteStateOptions = {},
): Promise<void> {
  let target = file;
  try {
    await assertReplaceable(file);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    if (options.backup) {
      target = options.backupPath ?? backupPathFor(file);
      await writer.write(target, options.backup);
    }
    target = file;
    await writer.write(file, text);
  } catch (error) {
    if (error instanceof DiagError) throw error;
    const code = errnoCode(error) ?? String(error);
    const what = target === file ? '' : ` (its backup ${target})`;
    throw new DiagError(
      'STATE_UNWRITABLE',
      `cannot write state file ${file}${what}: ${code}${hintFor(code)}; the file on disk is unchanged`,
      { cause: error },
    );
  }
}

function hintFor(code: string): string {
  if (code === 'EACCES' || code === 'EPERM') return ' (no permission to write in its directory)';
  if (code === 'ENOTDIR' || code === 'EEXIST') return ' (a part of its directory path is not a directory)';
  if (code === 'EROFS') return ' (read-only file system)';
  if (code === 'ENOSPC') return ' (disk full)';
  return '';
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes temp files a killed writer left beside the state file or its backup (see tempPathFor),
 * when their process is gone. A live pid (maybe reused) keeps its file at any age: harmless.
 * Best effort: returns what it removed, never throws.
 */
export function removeStaleTempFiles(file: string, isAlive: (pid: number) => boolean = pidIsAlive): Promise<string[]> {
  const base = path.basename(file);
  return sweepStaleTempFiles(path.dirname(file), { isAlive, owners: [base, `${base}.bak`], maxAgeMs: Infinity });
}

