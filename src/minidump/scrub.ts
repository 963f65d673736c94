import type { Pacer } from '../runtime/time-slice.js';
import { TEXT_STREAMS } from './format.js';
import { readMinidump, readMinidumpPaced } from './read-minidump.js';
import type { SecretFinder } from './secret-finder.js';
import type { Span } from './replaced-spans.js';
import { forEachAsciiRun, forEachUtf16Run, isPrintable } from './text-runs.js';
import type { Minidump } from './types.js';

/** Counts the manifest and `minidump --scrub` report. */
export interface ScrubStats {
  /** Distinct byte ranges scanned: memory regions, annotations and crash keys, module and debug file names, text streams. */
  regions: number;
  bytesScanned: number;
  /** Spans overwritten. */
  matches: number;
}

/** How a range's bytes hold text. */
type Encoding = 'memory' | 'utf8' | 'utf16';

interface ScanRange {
  rva: number;
  size: number;
  encoding: Encoding;
}

const STAR = 0x2a;

/**
 * Overwrites, in `bytes` itself, every secret, home dir and user name found in the dump's memory,
 * annotations, names and text streams with as many `*` bytes as it held, so the file's size, every
 * offset and the stack walk stay as they were. Throws MINIDUMP_INVALID for a dump it cannot read
 * (before changing anything).
 */
export function scrubMinidump(bytes: Uint8Array, finder: SecretFinder): ScrubStats {
  const { ranges, stats } = plan(bytes);
  for (const range of ranges) scrubRange(bytes, range, finder, stats);
  return stats;
}

/** A memory range longer than this is scrubbed in pieces on the main thread, with pauses between them. */
export const PACED_PIECE_BYTES = 256 * 1024;

/**
 * scrubMinidump that calls `pacer` between ranges and between pieces of a long memory range, so on
 * the main thread a big dump gives the event loop a turn every few milliseconds. The same bytes as
 * scrubMinidump: a piece ends only at a byte no text run can cross (see textBoundary), so each piece
 * holds whole runs, and runs are scrubbed one by one without state between them.
 */
export async function scrubMinidumpPaced(bytes: Uint8Array, finder: SecretFinder, pacer?: Pacer, pieceBytes = PACED_PIECE_BYTES): Promise<ScrubStats> {
  // The structure is read paced too: tens of thousands of memory regions take tens of ms to list.
  const { ranges, stats } = planFor(pacer ? await readMinidumpPaced(bytes, pacer) : readMinidump(bytes));
  for (const range of ranges) {
    if (range.encoding !== 'memory' || range.size <= pieceBytes) {
      const pause = pacer?.();
      if (pause) await pause;
      scrubRange(bytes, range, finder, stats);
      continue;
    }
    stats.bytesScanned += range.size;
    const end = range.rva + range.size;
    for (let start = range.rva; start < end; ) {
      const pause = pacer?.();
      if (pause) await pause;
      const cut = textBoundary(bytes, Math.min(end, start + pieceBytes), end);
      stats.matches += scrubRuns(bytes.subarray(start, cut), finder);
      start = cut;
    }
  }
  return stats;
}

/**
 * The first offset at or after `from` (else `end`) just past a byte that is neither printable nor
 * zero: no ASCII run contains that byte, and no UTF-16LE code unit that is text contains it (as the
 * low byte it is not printable, as the high byte it is not zero), so no run crosses it.
 */
function textBoundary(bytes: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const b = bytes[i]!;
    if (b !== 0 && !isPrintable(b)) return i + 1;
  }
  return end;
}

function plan(bytes: Uint8Array): { ranges: ScanRange[]; stats: ScrubStats } {
  return planFor(readMinidump(bytes));
}

function planFor(dump: Minidump): { ranges: ScanRange[]; stats: ScrubStats } {
  const ranges = mergeRanges(scanRanges(dump));
  return { ranges, stats: { regions: ranges.length, bytesScanned: 0, matches: 0 } };
}

function scrubRange(bytes: Uint8Array, range: ScanRange, finder: SecretFinder, stats: ScrubStats): void {
  stats.bytesScanned += range.size;
  const region = bytes.subarray(range.rva, range.rva + range.size);
  if (range.encoding === 'utf16') stats.matches += scrubUtf16Text(region, finder);
  else if (range.encoding === 'utf8' && isWellFormedUtf8(region)) stats.matches += scrubUtf8Text(region, finder);
  else stats.matches += scrubRuns(region, finder);
}

function scanRanges(dump: Minidump): ScanRange[] {
  const ranges: ScanRange[] = [];
  // Plain fields, not spreads: a full-memory dump has tens of thousands of regions.
  for (const region of dump.memory) ranges.push({ rva: region.data.rva, size: region.data.size, encoding: 'memory' });
  for (const thread of dump.threads) ranges.push({ rva: thread.stack.rva, size: thread.stack.size, encoding: 'memory' });
  for (const module of dump.modules) {
    ranges.push({ ...module.nameLocation, encoding: 'utf16' });
    if (module.debugFileLocation) ranges.push({ ...module.debugFileLocation, encoding: 'utf8' });
  }
  for (const annotation of dump.crashpad?.annotations ?? []) {
    if (annotation.keyLocation) ranges.push({ ...annotation.keyLocation, encoding: 'utf8' });
    ranges.push({ ...annotation.valueLocation, encoding: 'utf8' });
  }
  for (const stream of dump.streams) if (TEXT_STREAMS.includes(stream.type)) ranges.push({ rva: stream.rva, size: stream.size, encoding: 'memory' });
  return ranges.filter((r) => r.size > 0);
}

/** Overlapping ranges (a thread's stack is also in the memory list) are scanned once, as memory. */
function mergeRanges(ranges: ScanRange[]): ScanRange[] {
  const sorted = [...ranges].sort((a, b) => a.rva - b.rva || b.size - a.size);
  const out: ScanRange[] = [];
  for (const range of sorted) {
    const previous = out[out.length - 1];
    if (previous && range.rva < previous.rva + previous.size) {
      const end = Math.max(previous.rva + previous.size, range.rva + range.size);
      previous.size = end - previous.rva;
      if (previous.encoding !== range.encoding) previous.encoding = 'memory';
    } else {
      out.push({ rva: range.rva, size: range.size, encoding: range.encoding });
    }
  }
  return out;
}

/** Memory: printable ASCII runs and UTF-16LE runs, each through the finder. */
function scrubRuns(region: Uint8Array, finder: SecretFinder): number {
  const buffer = Buffer.from(region.buffer, region.byteOffset, region.byteLength);
  let matches = 0;
  forEachAsciiRun(region, (start, end) => {
    for (const span of finder.spans(buffer.toString('latin1', start, end))) {
      region.fill(STAR, start + span.start, start + span.end);
      matches++;
    }
  });
  forEachUtf16Run(region, (start, end) => {
    matches += starUtf16(region.subarray(start, end), finder.spans(buffer.toString('utf16le', start, end)));
  });
  return matches;
}

function scrubUtf8Text(region: Uint8Array, finder: SecretFinder): number {
  const text = Buffer.from(region.buffer, region.byteOffset, region.byteLength).toString('utf8');
  const spans = finder.spans(text);
  for (const span of spans) {
    const start = Buffer.byteLength(text.slice(0, span.start), 'utf8');
    const end = start + Buffer.byteLength(text.slice(span.start, span.end), 'utf8');
    region.fill(STAR, start, end);
  }
  return spans.length;
}

function scrubUtf16Text(region: Uint8Array, finder: SecretFinder): number {
  const text = Buffer.from(region.buffer, region.byteOffset, region.byteLength - (region.byteLength % 2)).toString('utf16le');
  return starUtf16(region, finder.spans(text));
}

/** Each UTF-16 code unit of a span becomes `*` (0x2a 0x00): two bytes for two bytes. */
function starUtf16(region: Uint8Array, spans: Span[]): number {
  for (const span of spans) {
    for (let i = span.start; i < span.end; i++) {
      region[2 * i] = STAR;
      region[2 * i + 1] = 0;
    }
  }
  return spans.length;
}

function isWellFormedUtf8(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.from(buffer.toString('utf8'), 'utf8').equals(buffer);
}
