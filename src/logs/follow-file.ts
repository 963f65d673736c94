import { promises as fsp } from 'node:fs';
import { errnoCode } from '../errors.js';
import type { LogFile } from './discover.js';
import { parseDesktopLogName } from './file-naming.js';
import { HEAD_BYTES, type CopySource, type CopyVerdict } from './follow-copies.js';
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

/** Why a drain could not read the file it follows ('truncated': it starts again from 0 on the next drain). */
export type DrainOutcome = 'read' | 'gone' | 'replaced' | 'truncated';

/** What a followed file tells the follower. */
export interface FollowedFileEvents {
  /** A whole line (or a flushed unfinished one). */
  line: (source: string, text: string) => void;
  /** The file was truncated or rewritten: where its reading stood before, for a copy of it. */
  truncated: (before: CopySource) => void;
  /** Whether a new file's first bytes are those of a file followed or truncated (copytruncate). */
  recognise: (prefix: Uint8Array) => CopyVerdict;
}

/**
 * Where a file made while following stands with copy recognition: 'check' until its first bytes
 * say whether it is a copy, 'copy' while a recognised copy is still shorter than the point it is
 * read from, null once it is read as any file.
 */
type CopyCheck = 'check' | 'copy' | null;

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
  /** The file's first bytes (up to HEAD_BYTES, never past the offset), to recognise a copy of it. */
  private head: Uint8Array = new Uint8Array(0);
  private copyCheck: CopyCheck = null;
  /** Bytes of a new file compared so far while undecided (its growth restarts the idle time). */
  private compared = 0;
  private readonly assembler: LineAssembler;
  /**
   * The last bytes before `offset` (up to CHECK_BYTES), or null when not known. A file truncated and
   * written again past its old length between two reads has a size that looks like growth; these
   * bytes no longer matching is how the rewrite shows.
   */
  private check: Uint8Array | null;

  /**
   * `checkForCopy`: a file made while following, read from its start: before anything is emitted,
   * its first bytes are compared with the files followed, so a copy of one (copytruncate) is read
   * from where that one's reading stood instead of printing its lines again.
   */
  constructor(
    file: LogFile,
    start: ReadPoint,
    now: number,
    maxLineBytes: number,
    private readonly events: FollowedFileEvents,
    checkForCopy = false,
  ) {
    this.path = file.path;
    this.source = file.source;
    this.identity = file.identity;
    this.offset = start.offset;
    this.check = start.check;
    this.mtimeMs = start.mtimeMs;
    this.grewAt = now;
    this.assembler = new LineAssembler(maxLineBytes, (text) => events.line(this.source, text));
    this.copyCheck = checkForCopy && start.offset === 0 ? 'check' : null;
  }

  /** True while an unfinished line (no newline yet) is held. */
  get hasPartialLine(): boolean {
    return this.assembler.hasPending;
  }

  /**
   * True while a new file that starts like a followed one is not known to be a copy or not: it is
   * decided as a file of its own once it has not grown for the idle time (decideNotACopy).
   */
  get undecided(): boolean {
    return this.copyCheck === 'check' && this.compared > 0;
  }

  readPoint(): ReadPoint {
    return { offset: this.offset, check: this.check, mtimeMs: this.mtimeMs };
  }

  /** Its first bytes and read point, for recognising a copy of it. */
  copySource(): CopySource {
    return { head: this.head, point: this.readPoint() };
  }

  /** Where reading starts when the follower adopts a file present at start, and its first bytes. */
  startAt(offset: number, check: Uint8Array | null, head: Uint8Array): void {
    this.offset = offset;
    this.check = check;
    this.head = head.subarray(0, Math.min(HEAD_BYTES, offset));
  }

  /**
   * For a file made while following: whether its first bytes make it a copy of a followed file
   * (the follower reads a copy before the file it was copied from, as its lines came first).
   */
  async isCopy(fileSystem: FollowFileSystem, now: () => number): Promise<boolean> {
    if (this.copyCheck !== 'check') return this.copyCheck === 'copy';
    const wasOpen = this.handle !== null;
    if (!wasOpen && !(await this.open(fileSystem))) return false;
    try {
      const handle = this.handle!;
      await this.recogniseCopy(handle, (await handle.stat()).size, now);
      return this.copyState() === 'copy';
    } finally {
      if (!wasOpen) await this.close();
    }
  }

  private copyState(): CopyCheck {
    return this.copyCheck;
  }

  /** A new file that began like a followed one has not grown for the idle time: read it as it is. */
  decideNotACopy(): void {
    if (this.copyCheck === 'check') this.copyCheck = null;
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
   * path is now another file. 'truncated': it was truncated or rewritten; read from its start next time,
   * after a listing has found a copy of it, if any.
   */
  async drain(fileSystem: FollowFileSystem, buffer: Uint8Array, now: () => number, stop: () => boolean): Promise<DrainOutcome> {
    const wasOpen = this.handle !== null;
    if (!wasOpen && !(await this.open(fileSystem))) return 'replaced';
    const handle = this.handle!;
    try {
      const stats = await handle.stat();
      const done = stats.nlink === 0 ? 'gone' : 'read';
      if (this.copyCheck === 'check' && !(await this.recogniseCopy(handle, stats.size, now))) return done;
      // A copy still being written: its lines up to the read point were printed from the original.
      if (this.copyCheck === 'copy' && stats.size < this.offset) return done;
      const copy = this.copyCheck === 'copy';
      this.copyCheck = null;
      if (stats.size < this.offset || (stats.mtimeMs !== this.mtimeMs && !(await this.stillSameBytes(handle)))) {
        // Truncated (copytruncate rotation), or truncated and written again past the old end: what was
        // before is gone. Its unfinished line was rotated away with it; read the file from the start.
        // (A file taken for a copy whose bytes then differ is read from its start too.)
        const before = this.copySource();
        this.assembler.flush();
        this.offset = 0;
        this.check = null;
        this.head = new Uint8Array(0);
        if (!copy) {
          // A copy of it may be there, not listed yet: its lines came first, so they are read first.
          this.events.truncated(before);
          return 'truncated';
        }
      }
      this.mtimeMs = stats.mtimeMs;
      while (!stop()) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        const bytes = buffer.subarray(0, bytesRead);
        if (this.offset < HEAD_BYTES && this.head.length === this.offset) this.head = concatBytes(this.head, bytes.subarray(0, HEAD_BYTES - this.offset));
        this.offset += bytesRead;
        this.grewAt = now();
        this.check = lastBytes(this.check, bytes);
        this.assembler.push(bytes);
      }
      return done;
    } finally {
      if (!wasOpen) await this.close();
    }
  }

  /** Emits the held unfinished line, if any (its file was rotated away or deleted, idle, or at exit). */
  flushPartialLine(): void {
    this.assembler.flush();
  }

  /**
   * Compares the first bytes of a new file with the files followed: a copy is read from its source's
   * read point on (checked again by the bytes before it once the copy has grown that far), any other
   * file from its start. False while undecided: nothing is read yet.
   */
  private async recogniseCopy(handle: FollowFileHandle, size: number, now: () => number): Promise<boolean> {
    const prefix = new Uint8Array(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await handle.read(prefix, 0, prefix.length, 0);
    const verdict = this.events.recognise(prefix.subarray(0, bytesRead));
    if (verdict === 'undecided') {
      if (bytesRead > this.compared) this.grewAt = now();
      this.compared = bytesRead;
      return false;
    }
    if (verdict === 'new') {
      this.copyCheck = null;
      return true;
    }
    this.copyCheck = 'copy';
    this.offset = verdict.copyOf.offset;
    this.check = verdict.copyOf.check;
    this.head = prefix.slice(0, Math.min(bytesRead, this.offset));
    // Not the source's mtime: the bytes before the offset are compared before reading on.
    this.mtimeMs = Number.NaN;
    return true;
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
): Promise<{ end: number; check: Uint8Array | null; head: Uint8Array }> {
  const none = new Uint8Array(0);
  // The first bytes (to recognise a copy of the file later): a small file's come with the read at its
  // end; a larger one's take one more small read, done alongside.
  const firstBytes = size > 4096 ? readHead(handle) : undefined;
  firstBytes?.catch(() => undefined); // awaited below, or not needed
  // Most lines are short: one small read finds the newline; a long unfinished line widens the search.
  for (let length = Math.min(size, 4096); length > 0; length = Math.min(size, length * 4, maxLineBytes + 1)) {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, size - length);
    if (bytesRead < length) return { end: size, check: null, head: none }; // shrank meanwhile: the follower sorts it out
    const head = async () => (firstBytes ? await firstBytes : bytes.subarray(0, HEAD_BYTES));
    const newline = bytes.lastIndexOf(0x0a);
    if (newline !== -1) return { end: size - length + newline + 1, check: lastBytes(null, bytes.subarray(0, newline + 1)), head: await head() };
    // No newline that close to the end: a huge partial line; take the file as it is.
    if (length > maxLineBytes) return { end: size, check: lastBytes(null, bytes), head: await head() };
    // No newline at all: the whole file is one unfinished line.
    if (length === size) return { end: 0, check: null, head: none };
  }
  return { end: 0, check: null, head: none };
}

async function readHead(handle: FollowFileHandle): Promise<Uint8Array> {
  const head = new Uint8Array(HEAD_BYTES);
  const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
  return head.subarray(0, bytesRead);
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

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
