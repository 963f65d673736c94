import { DiagError } from '../errors.js';

/**
 * Bounds-checked little-endian reads over a minidump's bytes. Every offset comes from the
 * file itself, so each read checks it and a bad one becomes a MINIDUMP_INVALID error that
 * names the structure, never a RangeError.
 */
export class ByteView {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  /** Throws unless `[offset, offset + size)` lies inside the file. */
  check(offset: number, size: number, what: string): void {
    if (!Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size < 0 || offset + size > this.length) {
      throw malformed(`${what} at offset ${offset} (${size} bytes) lies outside the file (${this.length} bytes)`);
    }
  }

  u8(offset: number, what: string): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what: string): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what: string): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, what: string): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  /** A view of `[offset, offset + size)`, shared with the file (no copy). */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.check(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}

export function malformed(detail: string): DiagError {
  return new DiagError('MINIDUMP_INVALID', `not a readable minidump: ${detail}`);
}

/** `0x`-prefixed lower-case hex of an address. */
export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}
