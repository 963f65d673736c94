/**
 * Splits a child's output stream into lines. Bytes are split on `\n` before decoding (a chunk may
 * end inside a multi-byte character), a trailing `\r` is dropped, invalid UTF-8 becomes U+FFFD, and a
 * line longer than `maxLineBytes` is cut with a visible marker while the rest of it is counted and
 * dropped, so a child that prints megabytes without a newline costs bounded memory.
 *
 * Hand-written because `readline` decodes per chunk boundary in its own way, has no line-length
 * bound and buffers an unbounded partial line.
 */

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly onLine: (text: string) => void;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private droppedBytes = 0;

  constructor(onLine: (text: string) => void, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.onLine = onLine;
    this.maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, newline));
      this.emit();
      start = newline + 1;
    }
  }

  /** Emits the last line when the stream ended without a newline (a final partial line counts). */
  end(): void {
    if (this.partBytes > 0 || this.droppedBytes > 0) this.emit();
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.partBytes;
    if (room >= bytes.length) {
      this.parts.push(bytes);
      this.partBytes += bytes.length;
      return;
    }
    if (room > 0) {
      // Copy: the kept prefix must not pin the whole (possibly large) chunk in memory.
      this.parts.push(Buffer.from(bytes.subarray(0, room)));
      this.partBytes += room;
    }
    this.droppedBytes += bytes.length - Math.max(room, 0);
  }

  private emit(): void {
    let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
    let cut = this.droppedBytes;
    if (cut > 0) {
      // Do not end the kept prefix in the middle of a UTF-8 sequence.
      const safe = utf8SafeEnd(line);
      cut += line.length - safe;
      line = line.subarray(0, safe);
    }
    if (cut === 0 && line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    this.parts = [];
    this.partBytes = 0;
    this.droppedBytes = 0;
    const text = line.toString('utf8');
    this.onLine(cut > 0 ? `${text} [... line cut: ${cut} more bytes]` : text);
  }
}

/** The largest length <= buf.length that does not split a UTF-8 character. */
function utf8SafeEnd(buf: Buffer): number {
  let i = buf.length - 1;
  // Walk back over at most 3 continuation bytes to the lead byte.
  let back = 0;
  while (i >= 0 && back < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= need ? buf.length : i;
}
