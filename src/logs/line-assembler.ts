import { TextDecoder } from 'node:util';
import { cutMarker, stripCarriageReturn, utf8CutLength } from './line-cut.js';

const NEWLINE = 0x0a;

/**
 * Splits a forward byte stream into lines on raw `\n` and decodes each whole line (so a character
 * split across reads is never mangled). A line longer than `maxLineBytes` keeps its head and gets
 * the cut marker; only the head is held, so memory stays bounded whatever the line's length.
 */
export class LineAssembler {
  private pending: Uint8Array[] = [];
  private pendingHeld = 0; // bytes held in `pending` (at most maxLineBytes + 4)
  private pendingTotal = 0; // bytes the partial line really has
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(
    private readonly maxLineBytes: number,
    private readonly emit: (text: string, cut: boolean) => void,
  ) {}

  /** True when a partial line (no `\n` yet) is waiting. */
  get hasPending(): boolean {
    return this.pendingTotal > 0;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      this.hold(chunk.subarray(start, newline));
      this.flush(true);
      start = newline + 1;
    }
  }

  /** Emits the partial line, if any (the file ended without a newline); `force` emits an empty one too. */
  flush(force = false): void {
    if (!force && this.pendingTotal === 0) return;
    const held = concat(this.pending, this.pendingHeld);
    const total = this.pendingTotal;
    this.reset();
    if (total > this.maxLineBytes) {
      const kept = utf8CutLength(held, this.maxLineBytes);
      this.emit(this.decoder.decode(held.subarray(0, kept)) + cutMarker(total - kept), true);
    } else {
      this.emit(this.decoder.decode(stripCarriageReturn(held)), false);
    }
  }

  /** Drops the partial line (the file was truncated or replaced). */
  reset(): void {
    this.pending = [];
    this.pendingHeld = 0;
    this.pendingTotal = 0;
  }

  private hold(piece: Uint8Array): void {
    this.pendingTotal += piece.length;
    const room = this.maxLineBytes + 4 - this.pendingHeld;
    if (room <= 0 || piece.length === 0) return;
    // Copy: the caller reuses its read buffer.
    const kept = piece.slice(0, Math.min(room, piece.length));
    this.pending.push(kept);
    this.pendingHeld += kept.length;
  }
}

function concat(pieces: Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
