import { createHash } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DiagError, errnoCode } from '../errors.js';
import { fsyncDirectory, renameWithRetry, tempPathFor } from '../fs/atomic-write.js';
import { alternativeName } from './bundle-name.js';

/** One zip entry: bytes, or a generator of chunks that can be run again (hashing, then writing). */
export interface ZipSource {
  name: string;
  data: Buffer | (() => Iterable<Buffer>);
}

export interface WrittenZip {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ZipTarget {
  path: string;
  /** When the path exists: pick `-2`, `-3`, ... (generated names) instead of replacing it. */
  noClobber: boolean;
}

/** archiver's cost is per chunk (about 0.1 ms each): 10,000 one-line chunks took a second, 64 KiB chunks milliseconds. */
const CHUNK_BYTES = 64 * 1024;

/** Joins small chunks into chunks of about `size` bytes; memory stays one chunk. */
function* batched(chunks: Iterable<Buffer>, size: number): Iterable<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    pending.push(chunk);
    bytes += chunk.length;
    if (bytes >= size) {
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes);
      pending = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes);
}

/** sha256 and size of one entry, streaming through its chunks. */
export function digestSource(source: ZipSource): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  const chunks = Buffer.isBuffer(source.data) ? [source.data] : source.data();
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * Streams entries into a zip (archiver), written to a temp name in the destination dir with mode
 * 0600 and flushed to disk, then renamed into place and the dir fsync'd. On any failure the temp
 * file is removed: a bundle is either complete under its name or absent.
 */
export async function writeZipAtomically(entries: readonly ZipSource[], target: ZipTarget, date: Date): Promise<WrittenZip> {
  const dir = path.dirname(target.path);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(target.path);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    // Loaded on first use: importing codex-diag must not load archiver.
    const { ZipArchive } = await import('archiver');
    const archive = new ZipArchive({ zlib: { level: 6 } });
    for (const entry of entries) {
      const source = Buffer.isBuffer(entry.data) ? entry.data : Readable.from(batched(entry.data(), CHUNK_BYTES), { objectMode: false });
      archive.append(source, { name: entry.name, date, mode: 0o600 });
    }
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // flush: the file descriptor is fsync'd before it closes.
    const file = createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true });
    const written = pipeline(archive, measure, file);
    await Promise.all([archive.finalize(), written]);
    // open(2)'s mode is masked by the umask; set it explicitly.
    await fsp.chmod(tmp, 0o600);
    const finalPath = await placeFile(tmp, target);
    await fsyncDirectory(dir);
    return { path: finalPath, bytes, sha256: hash.digest('hex') };
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (error instanceof DiagError) throw error;
    throw new DiagError('IO', `could not write bundle ${target.path}: ${(error as Error).message}`, { cause: error });
  }
}

async function placeFile(tmp: string, target: ZipTarget): Promise<string> {
  if (!target.noClobber) {
    await renameWithRetry(tmp, target.path);
    return target.path;
  }
  // Two exports in the same second for the same fingerprint must not replace each other.
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? target.path : path.join(path.dirname(target.path), alternativeName(path.basename(target.path), n));
    if (await exists(candidate)) continue;
    await renameWithRetry(tmp, candidate);
    return candidate;
  }
  throw new DiagError('IO', `could not find a free bundle name next to ${target.path}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}
