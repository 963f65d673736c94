/** Longest line kept whole (contract: Logs and the bundle's 64 KiB per line). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** The visible marker appended to a line that was cut. */
export function cutMarker(droppedBytes: number): string {
  return `…[cut ${droppedBytes} bytes]`;
}

/**
 * How many of `head`'s first `limit` bytes to keep so the cut does not split a UTF-8 character:
 * steps back over continuation bytes (10xxxxxx) to the start of the character at `limit`.
 */
export function utf8CutLength(head: Uint8Array, limit: number): number {
  if (limit >= head.length) return head.length;
  let cut = limit;
  // At most 3 continuation bytes precede a character's last byte; beyond that the input is not UTF-8.
  for (let back = 0; back < 3 && cut > 0 && (head[cut]! & 0xc0) === 0x80; back++) cut--;
  return (head[cut]! & 0xc0) === 0x80 ? limit : cut;
}

const CR = 0x0d;

/** The line's bytes without a trailing `\r` (CRLF files). */
export function stripCarriageReturn(bytes: Uint8Array): Uint8Array {
  return bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
}
