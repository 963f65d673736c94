import { promises as fsp } from 'node:fs';
import { errnoCode } from '../errors.js';
import type { LogFile } from './discover.js';
import { parseDesktopLogName } from './file-naming.js';
import { LineAssembler } from './line-assembler.js';

/** What the follower needs from fstat: growth, a rewrite, a deletion (no links left) and the identity. */
export interface FollowFileStats {
  size: number;
  mtimeMs: number;
  nlink: number;
  dev: number;
  ino: number;
}

/** The part of a file handle the follower uses; fs.promises.FileHandle satisfies it. */
export interface FollowFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<FollowFileStats>;
  close(): Promise<void>;
}

/** The file system edge of the follower (injectable, so tests can count opens and reads). */
export interface FollowFileSystem {
  open(path: string): Promise<FollowFileHandle>;
}

export const nodeFollowFileSystem: FollowFileSystem = {
  open: (path) => fsp.open(path, 'r'),
};

/**
 * Where reading a file stands: the offset, the bytes before it (to tell a rewrite) and the mtime when
 * they were read.
 */
export interface ReadPoint {
  offset: number;
  check: Uint8Array | null;
  mtimeMs: number;
}

/** Why a drain could not read the file it follows. */
export type DrainOutcome = 'read' | 'gone' | 'replaced';

const CHECK_BYTES = 256;

/**
 * One followed file, known by its identity (device + inode), not by its name: a rename rotation
 * (`main.log` → `main.old.log`, `main.log` → `main.1.log`) moves the same entry to its new name with
 * its offset, so no line is read twice. While open, the handle keeps reading the same file after it
 * is renamed or deleted, so its last lines are never lost, and its inode cannot be reused by another.
 * The unfinished last line is held here until its newline, or until the follower flushes it.
 */
export class FollowedFile {
  path: string;
  source: string;
  readonly identity: string;
  offset: number;
  /** The file's mtime when it was last read up to `offset`. */
  mtimeMs: number;
  /** clock.now() when bytes were last read from it. */
  grewAt: number;
  handle: FollowFileHandle | null = null;
  private readonly assembler: LineAssembler;
  /**
   * The last bytes before `offset` (up to CHECK_BYTES), or null when not known. A file truncated and
   * written again past its old length between two reads has a size that looks like growth; these
   * bytes no longer matching is how the rewrite shows.
   */
  private check: Uint8Array | null;

  constructor(file: LogFile, start: ReadPoint, now: number, maxLineBytes: number, emit: (source: string, text: string) => void) {
    this.path = file.path;
    this.source = file.source;
    this.identity = file.identity;
    this.offset = start.offset;
    this.check = start.check;
    this.mtimeMs = start.mtimeMs;
    this.grewAt = now;
    this.assembler = new LineAssembler(maxLineBytes, (text) => emit(this.source, text));
  }

  /** True while an unfinished line (no newline yet) is held. */
  get hasPartialLine(): boolean {
    return this.assembler.hasPending;
  }

  readPoint(): ReadPoint {
    return { offset: this.offset, check: this.check, mtimeMs: this.mtimeMs };
  }

  /** Where reading starts when the follower adopts a file present at start. */
  startAt(offset: number, check: Uint8Array | null): void {
    this.offset = offset;
    this.check = check;
  }

  /** The file now goes by another name (a rename rotation): same bytes, same offset. */
  moveTo(file: LogFile): void {
    this.path = file.path;
    this.source = file.source;
  }

  /** True when the listing shows something this entry has not read (or a rewrite at the same size). */
  looksChanged(file: LogFile): boolean {
    return file.size !== this.offset || file.mtimeMs !== this.mtimeMs;
  }

  /** Opens the file by its path; false (and nothing held) when that path is now another file or none. */
  async open(fileSystem: FollowFileSystem): Promise<boolean> {
    if (this.handle) return true;
    let handle: FollowFileHandle;
    try {
      handle = await fileSystem.open(this.path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (`${stats.dev}:${stats.ino}` !== this.identity) {
        await handle.close().catch(() => undefined);
        return false;
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    return true;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }

  /**
   * Reads from the offset to the current end through the open handle, emitting each whole line.
   * 'gone': the file has no name left (deleted; what it held was read). 'replaced': not open and its
   * path is now another file.
   */
  async drain(fileSystem: FollowFileSystem, buffer: Uint8Array, now: () => number, stop: () => boolean): Promise<DrainOutcome> {
    const wasOpen = this.handle !== null;
    if (!wasOpen && !(await this.open(fileSystem))) return 'replaced';
    const handle = this.handle!;
    try {
      const stats = await handle.stat();
      if (stats.size < this.offset || (stats.mtimeMs !== this.mtimeMs && !(await this.stillSameBytes(handle)))) {
        // Truncated (copytruncate rotation), or truncated and written again past the old end: what was
        // before is gone. Its unfinished line was rotated away with it; read the file from the start.
        this.assembler.flush();
        this.offset = 0;
        this.check = null;
      }
      this.mtimeMs = stats.mtimeMs;
      while (!stop()) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.grewAt = now();
        this.check = lastBytes(this.check, buffer.subarray(0, bytesRead));
        this.assembler.push(buffer.subarray(0, bytesRead));
      }
      return stats.nlink === 0 ? 'gone' : 'read';
    } finally {
      if (!wasOpen) await this.close();
    }
  }

  /** Emits the held unfinished line, if any (its file was rotated away or deleted, idle, or at exit). */
  flushPartialLine(): void {
    this.assembler.flush();
  }

  /** True when the bytes before the offset are still those read there (or nothing is known to compare). */
  private async stillSameBytes(handle: FollowFileHandle): Promise<boolean> {
    const check = this.check;
    if (check === null || check.length === 0 || this.offset < check.length) return true;
    const now = new Uint8Array(check.length);
    const { bytesRead } = await handle.read(now, 0, now.length, this.offset - check.length);
    return bytesRead === now.length && Buffer.compare(now, check) === 0;
  }
}

/**
 * Where a file's complete lines end, for a follower starting on it: just after its last newline
 * (looked for backwards from `size`, within maxLineBytes), and the bytes before that point. The
 * unfinished line after it is left for the follower to read, so it comes out once, whole.
 */
export async function completeLinesEnd(
  handle: FollowFileHandle,
  size: number,
  maxLineBytes: number,
): Promise<{ end: number; check: Uint8Array | null }> {
  // Most lines are short: one small read finds the newline; a long unfinished line widens the search.
  for (let length = Math.min(size, 4096); length > 0; length = Math.min(size, length * 4, maxLineBytes + 1)) {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, size - length);
    if (bytesRead < length) return { end: size, check: null }; // shrank meanwhile: the follower sorts it out
    const newline = bytes.lastIndexOf(0x0a);
    if (newline !== -1) return { end: size - length + newline + 1, check: lastBytes(null, bytes.subarray(0, newline + 1)) };
    // No newline that close to the end: a huge partial line; take the file as it is.
    if (length > maxLineBytes) return { end: size, check: lastBytes(null, bytes) };
    // No newline at all: the whole file is one unfinished line.
    if (length === size) return { end: 0, check: null };
  }
  return { end: 0, check: null };
}

/**
 * Who writes the file: one pino-roll logger writes its files one after another, but several desktop
 * processes (pid, thread, instance in the name) write theirs at once, so one of them having a newer
 * file says nothing about whether another's last line is finished.
 */
export function writerOf(file: LogFile): string {
  if (file.kind !== 'desktop') return file.family;
  const name = parseDesktopLogName(file.source);
  return name ? `${file.family}${name.session}\u0000${name.pid}\u0000${name.thread}\u0000${name.instance}` : file.family;
}

/** The last CHECK_BYTES of `previous` followed by `bytes` (a copy: the caller reuses its buffer). */
function lastBytes(previous: Uint8Array | null, bytes: Uint8Array): Uint8Array {
  if (bytes.length >= CHECK_BYTES) return bytes.slice(bytes.length - CHECK_BYTES);
  const head = previous === null ? new Uint8Array(0) : previous.subarray(Math.max(0, previous.length + bytes.length - CHECK_BYTES));
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}
