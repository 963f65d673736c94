import type { ByteView } from './byte-view.js';
import { malformed } from './byte-view.js';

/** Where a string's characters lie in the file (after its length prefix). */
export interface TextLocation {
  rva: number;
  size: number;
}

/** Names and annotations are short; a longer length field is a corrupt dump, not a long name. */
const MAX_STRING_BYTES = 1 << 20;

/** MINIDUMP_STRING: a u32 byte length, then UTF-16LE characters. */
export function readUtf16String(view: ByteView, rva: number, what: string): { text: string; location: TextLocation } {
  const size = view.u32(rva, `${what} length`);
  if (size > MAX_STRING_BYTES || size % 2 !== 0) throw malformed(`${what} has a bad length (${size} bytes)`);
  const bytes = view.slice(rva + 4, size, what);
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le'), location: { rva: rva + 4, size } };
}

/** Crashpad's MinidumpUTF8String (and MinidumpByteArray): a u32 byte length, then the bytes. */
export function readUtf8String(view: ByteView, rva: number, what: string): { text: string; location: TextLocation } {
  const size = view.u32(rva, `${what} length`);
  if (size > MAX_STRING_BYTES) throw malformed(`${what} has a bad length (${size} bytes)`);
  const bytes = view.slice(rva + 4, size, what);
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), location: { rva: rva + 4, size } };
}
