import { promises as fsp } from 'node:fs';
import { TextDecoder } from 'node:util';
import { DiagError, errnoCode } from '../errors.js';
import { discoverLogFiles, type LogFile } from './discover.js';
import { cutMarker, DEFAULT_MAX_LINE_BYTES, stripCarriageReturn, utf8CutLength } from './line-cut.js';
import type { TailLine } from './types.js';

/** The part of a file handle the reader uses; fs.promises.FileHandle satisfies it. */
export interface TailFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** The file system edge of the reader (injectable, so tests can make a file vanish mid-read). */
export interface TailFileSystem {
  open(path: string): Promise<TailFileHandle>;
}

export const nodeTailFileSystem: TailFileSystem = {
  open: (path) => fsp.open(path, 'r'),
};

export const DEFAULT_BLOCK_BYTES = 64 * 1024;

export interface ReadLastLinesOptions {
  logDir: string;
  /** How many lines to return (0 returns none). */
  count: number;
  /** Lines longer than this are cut with a visible marker. Default 64 KiB. */
  maxLineBytes?: number;
  /** Size of each backwards read. Default 64 KiB. */
  blockBytes?: number;
  /** A discovery snapshot to read instead of discovering; each file is read up to its recorded size. */
  files?: readonly LogFile[];
  /**
   * The size to read a file up to, asked just before it is read (default: its size in `files` or the
   * listing); a follower uses it to read up to the end of a file's complete lines only.
   */
  sizeOf?: (file: LogFile) => Promise<number>;
  /** Only lines it accepts count towards `count` and are returned (e.g. a level filter). */
  accept?: (line: TailLine) => boolean;
  fileSystem?: TailFileSystem;
}

export interface ReadLastLinesResult {
  /** Oldest first. */
  lines: TailLine[];
  /** Bytes read from disk, for the cost proof (proportional to the lines returned, not file sizes). */
  bytesRead: number;
  /** Files opened. */
  files: number;
  /** Lines that were cut at maxLineBytes. */
  cutLines: number;
}

const NEWLINE = 0x0a;

/**
 * The last `count` lines across a log dir's files (contract: Logs). Reads backwards in
 * blocks from the newest file, splitting raw bytes on `\n` before decoding each line, so a
 * character split across blocks is never mangled and the cost follows the bytes of the lines returned.
 * Missing dir: NOT_FOUND (exit 2); no log files: NO_LOGS (exit 3).
 */
export async function readLastLines(options: ReadLastLinesOptions): Promise<ReadLastLinesResult> {
  const files = options.files ?? (await discoverLogFiles(options.logDir));
  if (!options.files && files.length === 0) {
    throw new DiagError('NO_LOGS', `no log files in ${options.logDir}`);
  }
  const state: ReadState = {
    wanted: Math.max(0, Math.floor(options.count)),
    newestFirst: [],
    bytesRead: 0,
    cutLines: 0,
    maxLineBytes: Math.max(1, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES),
    blockBytes: Math.max(1, options.blockBytes ?? DEFAULT_BLOCK_BYTES),
    accept: options.accept,
    // ignoreBOM: keep a U+FEFF as it is in the file, whether a line is decoded alone or with others.
    decoder: new TextDecoder('utf-8', { ignoreBOM: true }),
  };
  const fileSystem = options.fileSystem ?? nodeTailFileSystem;
  let opened = 0;
  for (let i = files.length - 1; i >= 0 && state.newestFirst.length < state.wanted; i--) {
    const listed = files[i]!;
    const file = options.sizeOf ? { ...listed, size: await options.sizeOf(listed) } : listed;
    const keep = state.newestFirst.length;
    const keepCut = state.cutLines;
    try {
      const handle = await fileSystem.open(file.path);
      opened++;
      try {
        await readFileBackwards(handle, file, state);
      } finally {
        await handle.close().catch(() => undefined);
      }
    } catch (error) {
      if (!isVanished(error)) throw new DiagError('IO', `cannot read log file ${file.path}: ${(error as Error).message}`, { cause: error });
      // The file went away (rotation retention, a cleaner) between discovery and reading: skip it whole.
      state.newestFirst.length = keep;
      state.cutLines = keepCut;
    }
  }
  return { lines: state.newestFirst.reverse(), bytesRead: state.bytesRead, files: opened, cutLines: state.cutLines };
}

interface ReadState {
  wanted: number;
  newestFirst: TailLine[];
  bytesRead: number;
  cutLines: number;
  maxLineBytes: number;
  blockBytes: number;
  accept: ((line: TailLine) => boolean) | undefined;
  decoder: TextDecoder;
}

class FileVanished extends Error {
  readonly code = 'ENOENT';
}

function isVanished(error: unknown): boolean {
  const code = errnoCode(error);
  return error instanceof FileVanished || code === 'ENOENT' || code === 'ESTALE';
}

/** Reads into `buffer` from `position` until it is full or the file ends; returns the bytes read. */
export async function readAt(handle: TailFileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function readFully(handle: TailFileHandle, buffer: Uint8Array, position: number, state: ReadState): Promise<void> {
  const done = await readAt(handle, buffer, position);
  state.bytesRead += done;
  if (done < buffer.length) throw new FileVanished('file shrank while being read');
}

/**
 * Walks one file from its end towards its start. Lines wholly inside a block are decoded together;
 * a line spanning blocks is held as block slices only while it is at most maxLineBytes long; a longer
 * one is tracked by offsets alone and its head is read again once its start is found, so a huge line
 * never sits in memory whole.
 */
async function readFileBackwards(handle: TailFileHandle, file: LogFile, state: ReadState): Promise<void> {
  const end = Math.min(file.size, (await handle.stat()).size);
  if (end === 0) return;
  let position = end;
  let lineEnd = end; // exclusive end of the line being assembled
  let pieces: Uint8Array[] = []; // its bytes seen so far, last piece first
  let first = true;

  const push = (text: string, cut: boolean): boolean => {
    const line: TailLine = { source: file.source, text };
    if (state.accept && !state.accept(line)) return false;
    state.newestFirst.push(line);
    if (cut) state.cutLines++;
    return state.newestFirst.length >= state.wanted;
  };
  const keep = (block: Uint8Array, start: number, stop: number, blockPosition: number) => {
    if (lineEnd - (blockPosition + start) <= state.maxLineBytes) pieces.push(block.subarray(start, stop));
    else pieces = []; // too long to keep: only its offsets matter from here on
  };
  const finishLine = async (lineStart: number): Promise<boolean> => {
    const length = lineEnd - lineStart;
    const long = length > state.maxLineBytes;
    const text = long ? await readCutLine(handle, lineStart, length, state) : decodeLine(joinReversed(pieces, length), state);
    pieces = [];
    return push(text, long);
  };

  while (position > 0) {
    const size = Math.min(state.blockBytes, position);
    position -= size;
    const block = new Uint8Array(size);
    await readFully(handle, block, position, state);
    let scanEnd = size; // exclusive, within block
    if (first) {
      first = false;
      // The newline that ends the file terminates the last line; it does not start an empty one.
      if (block[size - 1] === NEWLINE) {
        scanEnd--;
        lineEnd--;
      }
    }
    const last = scanEnd === 0 ? -1 : block.lastIndexOf(NEWLINE, scanEnd - 1);
    keep(block, last + 1, scanEnd, position);
    if (last === -1) continue; // the whole block is inside one line
    if (await finishLine(position + last + 1)) return;
    const firstNewline = block.indexOf(NEWLINE);
    if (firstNewline < last && takeWholeLines(block.subarray(firstNewline + 1, last), push, state)) return;
    lineEnd = position + firstNewline;
    keep(block, 0, firstNewline, position);
  }
  await finishLine(0); // the file's first line
}

/** Lines that lie wholly in one block (newest last), pushed newest first; true when enough. */
function takeWholeLines(region: Uint8Array, push: (text: string, cut: boolean) => boolean, state: ReadState): boolean {
  if (region.length <= state.maxLineBytes) {
    // Decoding a run of whole lines at once gives the same text as decoding them one by one: `\n`
    // (0x0A) is never part of a multibyte sequence, and the decoder closes a broken sequence with one
    // U+FFFD when it meets it, as it does at the end of a line decoded alone. One call is much cheaper.
    const lines = state.decoder.decode(region).split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const text = lines[i]!;
      if (push(text.endsWith('\r') ? text.slice(0, -1) : text, false)) return true;
    }
    return false;
  }
  // Blocks larger than maxLineBytes: a line here may need cutting, so go line by line on the bytes.
  let stop = region.length;
  for (;;) {
    const newline = stop === 0 ? -1 : region.lastIndexOf(NEWLINE, stop - 1);
    const bytes = region.subarray(newline + 1, stop);
    const long = bytes.length > state.maxLineBytes;
    const text = long ? cutLine(bytes, bytes.length, state) : decodeLine(bytes, state);
    if (push(text, long)) return true;
    if (newline === -1) return false;
    stop = newline;
  }
}

function decodeLine(bytes: Uint8Array, state: ReadState): string {
  return state.decoder.decode(stripCarriageReturn(bytes));
}

function joinReversed(pieces: Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (let i = pieces.length - 1; i >= 0; i--) {
    out.set(pieces[i]!, offset);
    offset += pieces[i]!.length;
  }
  return out;
}

async function readCutLine(handle: TailFileHandle, lineStart: number, length: number, state: ReadState): Promise<string> {
  // Keep the head (where a record's time, level and message are), ending on a character boundary.
  const head = new Uint8Array(Math.min(length, state.maxLineBytes + 4));
  await readFully(handle, head, lineStart, state);
  return cutLine(head, length, state);
}

/** The head of a line of `length` bytes, up to maxLineBytes on a character boundary, and the marker. */
function cutLine(head: Uint8Array, length: number, state: ReadState): string {
  const kept = utf8CutLength(head, state.maxLineBytes);
  return state.decoder.decode(head.subarray(0, kept)) + cutMarker(length - kept);
}
