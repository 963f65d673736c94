// Grows a real minidump with a Memory64List stream (the stream full-memory dumps use), so tests and
// the bench get big or Memory64 dumps that still read as the original did. Used by tests/minidump
// and bench/minidump.bench.mjs.

const DIRECTORY_ENTRY = 12;
const MEMORY64_LIST = 9;

/**
 * Returns a copy of `dump` with a Memory64List stream appended: one region per element of `regions`
 * (their bytes laid end to end, as the format requires), a new stream directory at the end of the
 * file, and the header pointing at it. Nothing already in the file moves.
 * @param {Uint8Array} dump
 * @param {Uint8Array[]} regions
 * @param {bigint} [baseAddress]
 */
export function withMemory64(dump, regions, baseAddress = 0x7e0000000000n) {
  const source = Buffer.from(dump);
  const count = source.readUInt32LE(8);
  const directoryRva = source.readUInt32LE(12);
  const listSize = 16 + regions.length * 16;
  const dataSize = regions.reduce((n, r) => n + r.length, 0);
  const directoryAt = align8(source.length);
  const listAt = directoryAt + (count + 1) * DIRECTORY_ENTRY;
  const dataAt = align8(listAt + listSize);
  const out = Buffer.alloc(dataAt + dataSize);
  source.copy(out);
  source.copy(out, directoryAt, directoryRva, directoryRva + count * DIRECTORY_ENTRY);
  const entry = directoryAt + count * DIRECTORY_ENTRY;
  out.writeUInt32LE(MEMORY64_LIST, entry);
  out.writeUInt32LE(listSize, entry + 4);
  out.writeUInt32LE(listAt, entry + 8);
  out.writeUInt32LE(count + 1, 8);
  out.writeUInt32LE(directoryAt, 12);
  out.writeBigUInt64LE(BigInt(regions.length), listAt);
  out.writeBigUInt64LE(BigInt(dataAt), listAt + 8);
  let address = baseAddress;
  let at = dataAt;
  regions.forEach((region, i) => {
    out.writeBigUInt64LE(address, listAt + 16 + i * 16);
    out.writeBigUInt64LE(BigInt(region.length), listAt + 24 + i * 16);
    out.set(region, at);
    at += region.length;
    address += BigInt(align8(region.length) + 4096);
  });
  return out;
}

function align8(n) {
  return (n + 7) & ~7;
}
