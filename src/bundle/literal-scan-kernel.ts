import type { LiteralDfa } from './literal-automaton.js';
import { classOf, DIGIT, LOWER, UPPER } from './token-shape.js';
import { LITERAL_SCAN_KERNEL_BASE64 } from './literal-scan-kernel-wasm.js';
import { occursAt } from './occurs-at.js';

/**
 * The line prefilter's scan in WebAssembly: every literal of an automaton and every run of token
 * characters, found in one pass over the line's bytes.
 *
 * Why not JavaScript or a regex: an automaton step is one dependent table read per character, and V8's
 * JIT runs that loop (or a `charCodeAt` loop of any kind) several times slower than the same loop
 * compiled ahead; a case-insensitive alternation of a few dozen literals costs V8's regex engine about as
 * much per character. The line is copied in as Latin-1 (one byte per UTF-16 code unit, so positions are
 * the string's): a line holding a character above U+00FF is not taken, and its caller scans it as before.
 */

export interface LiteralScanKernel {
  /**
   * Reports every occurrence of every literal (`literal(index, start)`, with each literal's case
   * checked as `buildLiteralDfa` says) and every run of `minRun` or more token characters
   * (`run(start, end, classes)`, classes the run's UPPER | LOWER | DIGIT): the literals in the order
   * they end, then the runs in the order of the text; and
   * returns true; returns false, having reported nothing, for a text it does not take (a character
   * above U+00FF, longer than `MAX_TEXT`, or more hits than it holds).
   */
  scan(text: string, literal: (index: number, start: number) => void, run: (start: number, end: number, classes: number) => void): boolean;
}

/** A token character that is not a letter or digit (`_`, `-`, `+`, `/`); runs report UPPER | LOWER | DIGIT only. */
const OTHER = 8;
const END_BITS = 0xffffff;

/** Longest text taken: the prefilter sees log lines, which are cut at 64 KiB. */
export const MAX_TEXT = 1 << 20;
/** Most records (literal ends and runs) one text may give: a text with more is scanned as before. */
const MAX_RECORDS = 8192;
const CLASSES = 0;
const RUN_CHARS = 256;
const TABLE = 512;
const PAGE = 65536;
const BEYOND_LATIN1 = /[^\x00-\xff]/;

/** The part of the WebAssembly API used here (the package's type libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Null where WebAssembly is not available: callers scan in JavaScript. */
export function createLiteralScanKernel(dfa: LiteralDfa, isRunChar: (code: number) => boolean, minRun: number): LiteralScanKernel | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  const { classes, width, table, outputStart, outputs, lengths, exact } = dfa;
  // A class's offset in a row (class × 4) must fit the byte the kernel reads it from.
  if (width > 64) return null;
  // A row: the next state's row address by class, then the state's number + 1 where literals end.
  const rowBytes = (width + 1) * 4;
  const states = table.length / width;
  const out = TABLE + states * rowBytes;
  const input = out + MAX_RECORDS * 8;
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new wasm.Instance(new wasm.Module(Buffer.from(LITERAL_SCAN_KERNEL_BASE64, 'base64')), {});
  } catch {
    // A runtime that refuses to compile code (a policy forbidding it): the JavaScript scans stand in.
    return null;
  }
  const memory = instance.exports.memory as WasmMemory;
  const scanBytes = instance.exports.scan as (len: number, table: number, input: number, out: number, cap: number, minRun: number, outputSlot: number, overlap: number) => number;
  // The second lane starts this far before the middle of a line: the longest literal, less one.
  const overlap = Math.max(1, ...lengths) - 1;
  let capacity = 0;
  let bytes!: LatinBuffer;
  let records!: Int32Array;
  /** Room for a text of `length`; false when the memory cannot grow (the text is then scanned in JavaScript). */
  const reserve = (length: number): boolean => {
    const needed = Math.ceil((input + length) / PAGE);
    const pages = memory.buffer.byteLength / PAGE;
    try {
      if (needed > pages) memory.grow(needed - pages);
    } catch {
      return false;
    }
    // Growing detaches the old views.
    bytes = Buffer.from(memory.buffer);
    records = new Int32Array(memory.buffer, out, MAX_RECORDS * 2);
    capacity = memory.buffer.byteLength - input;
    return true;
  };
  if (!reserve(64 * 1024)) return null;
  for (let c = 0; c < 256; c++) {
    bytes[CLASSES + c] = c < 128 ? classes[c]! * 4 : 0;
    bytes[RUN_CHARS + c] = isRunChar(c) ? classOf(c) || OTHER : 0;
  }
  // The kernel keeps a state as its row's address, so a step is one add and one read.
  const rows = new Int32Array(memory.buffer, TABLE, states * (width + 1));
  for (let state = 0; state < states; state++) {
    for (let cls = 0; cls < width; cls++) rows[state * (width + 1) + cls] = TABLE + (table[state * width + cls]! >> 1) * rowBytes;
    rows[state * (width + 1) + width] = outputStart[state + 1]! > outputStart[state]! ? state + 1 : 0;
  }

  return {
    scan(text, literal, run) {
      if (text.length > MAX_TEXT || BEYOND_LATIN1.test(text)) return false;
      if (text.length > capacity && !reserve(text.length)) return false;
      copyLatin1(bytes, text, input);
      const count = scanBytes(text.length, TABLE, input, out, MAX_RECORDS, minRun, width * 4, overlap);
      if (count < 0) return false;
      // The two lanes' literals are written as they are found, interleaved: the first lane's (ending by
      // the middle) are reported first, so every literal comes in the order it ends.
      const middle = text.length > 2 * overlap ? (text.length + overlap + 1) >> 1 : text.length;
      for (let lane = 0; lane < 2; lane++) {
        for (let r = 0; r < count; r++) {
          const at = records[2 * r]!;
          if (at < 0 || (at > middle ? 1 : 0) !== lane) continue;
          const state = records[2 * r + 1]!;
          const last = outputStart[state + 1]!;
          for (let k = outputStart[state]!; k < last; k++) {
            const index = outputs[k]!;
            const start = at - lengths[index]!;
            const exactText = exact[index];
            if (exactText == null || occursAt(text, exactText, start)) literal(index, start);
          }
        }
      }
      for (let r = 0; r < count; r++) {
        const at = records[2 * r]!;
        const value = records[2 * r + 1]!;
        if (at < 0) run(-at - 1, value & END_BITS, (value >>> 24) & (UPPER | LOWER | DIGIT));
      }
      return true;
    },
  };
}

/** Node's Buffer has a direct Latin-1 copy that `write(…, 'latin1')` wraps with argument checks. */
type LatinBuffer = Buffer & { latin1Write?: (text: string, offset: number, length: number) => number };

function copyLatin1(bytes: LatinBuffer, text: string, offset: number): void {
  if (bytes.latin1Write) bytes.latin1Write(text, offset, text.length);
  else bytes.write(text, offset, text.length, 'latin1');
}
