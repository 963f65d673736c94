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
 * The last `count` lines across a log dir's files (contract: DESIGN.md "Logs"). Reads backwards in
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
    decoder: new TextDecoder('utf-8'),
  };
  const fileSystem = options.fileSystem ?? nodeTailFileSystem;
  let opened = 0;
  for (let i = files.length - 1; i >= 0 && state.newestFirst.length < state.wanted; i--) {
    const file = files[i]!;
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

async function readFully(handle: TailFileHandle, buffer: Uint8Array, position: number, state: ReadState): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new FileVanished('file shrank while being read');
    done += bytesRead;
    state.bytesRead += bytesRead;
  }
}

/**
 * Walks one file from its end towards its start. The line being assembled is held as block slices
 * only while it is at most maxLineBytes long; a longer one is tracked by offsets alone and its head
 * is read again once its start is found, so a huge line never sits in memory whole.
 */
async function readFileBackwards(handle: TailFileHandle, file: LogFile, state: ReadState): Promise<void> {
  const end = Math.min(file.size, (await handle.stat()).size);
  if (end === 0) return;
  let position = end;
  let lineEnd = end; // exclusive end of the line being assembled
  let pieces: Uint8Array[] = []; // its bytes seen so far, last piece first
  let first = true;

  const emit = async (lineStart: number): Promise<boolean> => {
    const length = lineEnd - lineStart;
    let text: string;
    if (length > state.maxLineBytes) {
      text = await readCutLine(handle, lineStart, length, state);
    } else {
      text = state.decoder.decode(stripCarriageReturn(joinReversed(pieces, length)));
    }
    pieces = [];
    const line: TailLine = { source: file.source, text };
    if (state.accept && !state.accept(line)) return false;
    state.newestFirst.push(line);
    if (length > state.maxLineBytes) state.cutLines++;
    return state.newestFirst.length >= state.wanted;
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
    for (;;) {
      const newline = scanEnd === 0 ? -1 : block.lastIndexOf(NEWLINE, scanEnd - 1);
      const pieceStart = newline + 1;
      if (lineEnd - (position + pieceStart) <= state.maxLineBytes) pieces.push(block.subarray(pieceStart, scanEnd));
      else pieces = []; // too long to keep: only its offsets matter from here on
      if (newline === -1) break;
      if (await emit(position + pieceStart)) return;
      lineEnd = position + newline;
      scanEnd = newline;
    }
  }
  await emit(0); // the file's first line
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
  const kept = utf8CutLength(head, state.maxLineBytes);
  return state.decoder.decode(head.subarray(0, kept)) + cutMarker(length - kept);
}
