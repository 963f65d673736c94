import { crc32, deflateRawSync } from 'node:zlib';
import type { SystemInfo } from '../../src/bundle/system-info.js';

export const TEST_SYSTEM: SystemInfo = {
  os: 'linux',
  osType: 'Linux',
  release: '6.1.0-test',
  arch: 'x64',
  totalMemoryBytes: 8 * 1024 ** 3,
  freeMemoryBytes: 2 * 1024 ** 3,
  cpuCount: 2,
  node: '20.20.0',
  electron: '41.7.1',
  chrome: '140.0.0.0',
  app: { name: 'Codex', version: '1.2.3' },
  appVersion: '1.2.3',
};

export interface RawEntry {
  name: string;
  data: Buffer;
  /** Unix mode (file type + permissions); default a regular 0644 file. */
  mode?: number;
  deflate?: boolean;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  /** The name the local header gives (the central directory says `name`). */
  localName?: string;
  /** Written as a local entry but left out of the central directory (hidden from it). */
  unlisted?: boolean;
}

/**
 * Writes a zip by hand (local headers, central directory, end record) so tests can make the
 * archives no well-behaved library would: `..` and absolute names, symlinks, duplicates, lying sizes.
 */
export function rawZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const localName = Buffer.from(entry.localName ?? entry.name, 'utf8');
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const crc = crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const method = entry.deflate ? 8 : 0;
    const fields: SharedFields = { method, crc, compressedSize: body.length, size };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedFields(local, 4, fields, localName.length);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    writeSharedFields(central, 6, fields, name.length);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, localName, body);
    if (!entry.unlisted) centrals.push(central, name);
    offset += local.length + localName.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const listed = entries.filter((e) => !e.unlisted).length;
  end.writeUInt16LE(listed, 8);
  end.writeUInt16LE(listed, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

interface SharedFields {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
}

/**
 * The run of fields the local header and the central directory record share (version needed,
 * UTF-8 flag, method, a fixed DOS time and date, crc, sizes, name length), from `at`.
 */
function writeSharedFields(header: Buffer, at: number, fields: SharedFields, nameLength: number): void {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(0x0800, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE(0x21, at + 8);
  header.writeUInt32LE(fields.crc, at + 10);
  header.writeUInt32LE(fields.compressedSize, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}
