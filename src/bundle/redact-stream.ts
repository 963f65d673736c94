import { StringDecoder } from 'node:string_decoder';

/** A piece of a line: the whole line, or a part of a very long one (`newline` false until its last part). */
export interface LinePiece {
  text: string;
  /** False for every piece of a long line but its last, and for a last line without a trailing newline. */
  newline: boolean;
}

/** Pieces of a long line are about this long. */
export const DEFAULT_PIECE_BYTES = 1024 * 1024;
/** A cut is looked for this far back from the piece's end (at most a quarter of a piece). */
const CUT_WINDOW = 64 * 1024;

/**
 * Lines of a byte stream for the redactor, a line longer than `pieceBytes` in pieces: a 100 MB
 * single-line log is redacted in 1 MiB pieces, so memory holds a few pieces and their redacted copies,
 * not the line (and the several copies every regex replace makes of it). A piece ends after a
 * separator (whitespace, or `,` between JSON members), found in its last 64 KiB, so a key and its value
 * and a token stay in one piece; a line with no separator there (one giant token) is cut at a UTF-8
 * character boundary. Split on `\n` before decoding, so a character split across chunks is never
 * mangled; `\r` stays part of the line.
 */
export async function* redactionPieces(stream: AsyncIterable<Buffer | string>, pieceBytes = DEFAULT_PIECE_BYTES): AsyncGenerator<LinePiece> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const window = Math.min(CUT_WINDOW, Math.floor(pieceBytes / 4));
  for await (const raw of stream) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let index = chunk.indexOf(0x0a);
    while (index >= 0) {
      pending.push(chunk.subarray(0, index));
      yield { text: decode(pending), newline: true };
      pending = [];
      pendingBytes = 0;
      chunk = chunk.subarray(index + 1);
      index = chunk.indexOf(0x0a);
    }
    if (chunk.length === 0) continue;
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= pieceBytes + window) {
      const joined = Buffer.concat(pending);
      const cut = cutPoint(joined, pieceBytes, window);
      yield { text: decode([joined.subarray(0, cut)]), newline: false };
      const rest = joined.subarray(cut);
      pending = [Buffer.from(rest)];
      pendingBytes = rest.length;
    }
  }
  if (pending.length > 0) yield { text: decode(pending), newline: false };
}

/** Where to end a piece of about `target` bytes: after the last separator before it, else at a character boundary. */
function cutPoint(bytes: Buffer, target: number, window: number): number {
  const floor = Math.max(2, target - window);
  // Best: after `,` that follows a closing quote or bracket (a JSON member or element ends there).
  for (let i = target; i >= floor; i--) {
    if (bytes[i - 1] === 0x2c && (bytes[i - 2] === 0x22 || bytes[i - 2] === 0x7d || bytes[i - 2] === 0x5d)) return i;
  }
  // Else after whitespace that does not follow a separator (`password: x`, `token= x` stay whole).
  for (let i = target; i >= floor; i--) {
    const b = bytes[i - 1]!;
    const before = bytes[i - 2]!;
    if ((b === 0x20 || b === 0x09) && before !== 0x3a && before !== 0x3d && before !== 0x20 && before !== 0x09) return i;
  }
  let i = target;
  while (i > 1 && (bytes[i]! & 0xc0) === 0x80) i--;
  return i;
}

function decode(parts: Buffer[]): string {
  // One decoder per piece: invalid UTF-8 becomes U+FFFD and never bleeds into the next line.
  const decoder = new StringDecoder('utf8');
  return decoder.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts)) + decoder.end();
}
