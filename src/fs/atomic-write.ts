import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';

export interface AtomicWriteOptions {
  /** File mode of the result; diagnostics files hold user data, so 0600 by default. */
  mode?: number;
  /** fsync the file and its directory (default true). Only tests of other things turn it off. */
  fsync?: boolean;
}

/** Rename errors that Windows indexers and virus scanners cause by holding the file briefly. */
const TRANSIENT_RENAME_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** Waits between rename attempts: about 1.3 s in all, then the error stands. */
export const RENAME_RETRY_DELAYS_MS: readonly number[] = [10, 20, 40, 80, 160, 320, 640];

/** The edges of a rename with retries, injectable so tests can fail renames and skip the waits. */
export interface RenameEdges {
  rename?: (from: string, to: string) => Promise<void>;
  wait?: (ms: number) => Promise<void>;
}

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes files atomically: temp file in the same directory, write, fsync, rename, fsync the
 * directory. Writes to one path are serialised (a queue per path), so a later save never
 * loses a race to an earlier one. Shaped after write-file-atomic, which we do not use because
 * it neither fsyncs the directory nor exposes a per-instance queue.
 */
export class AtomicWriter {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly edges: RenameEdges = {}) {}

  write(filePath: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
    const key = path.resolve(filePath);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => writeAtomicNow(key, data, options, this.edges));
    this.queues.set(key, next);
    const cleanup = () => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  /** Resolves when every queued write has settled. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) {
      await Promise.allSettled([...this.queues.values()]);
    }
  }
}

/** Temp names share the target's directory (rename is atomic only within one file system). */
export function tempPathFor(filePath: string): string {
  const dir = path.dirname(filePath);
  return path.join(dir, `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function writeAtomicNow(
  filePath: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
  edges: RenameEdges,
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const doSync = options.fsync ?? true;
  const tmp = tempPathFor(filePath);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'wx', mode);
    await handle.writeFile(data);
    if (doSync) await handle.sync();
    await handle.close();
    handle = undefined;
    // open(2)'s mode is masked by the umask; set it explicitly.
    await fsp.chmod(tmp, mode);
    await renameWithRetry(tmp, filePath, edges);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  if (doSync) await fsyncDirectory(path.dirname(filePath));
}

/** Renames, retrying EPERM/EBUSY/EACCES with growing waits (see TRANSIENT_RENAME_CODES); other errors at once. */
export async function renameWithRetry(from: string, to: string, edges: RenameEdges = {}): Promise<void> {
  const rename = edges.rename ?? ((a: string, b: string) => fsp.rename(a, b));
  const wait = edges.wait ?? realWait;
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const delay = RENAME_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !TRANSIENT_RENAME_CODES.has(errnoCode(error) ?? '')) throw error;
      await wait(delay);
    }
  }
}

/** Makes a rename durable. Directories cannot be opened for fsync on Windows; there it is a no-op. */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
