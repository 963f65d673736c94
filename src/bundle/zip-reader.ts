import yauzl from 'yauzl';
import type { Entry } from 'yauzl';
import { DiagError } from '../errors.js';

/** One entry as the central directory describes it. */
export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** Unix mode bits from the external attributes (0 when the zip was not made on Unix). */
  unixMode: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

export interface ZipContents {
  entries: ZipEntryInfo[];
  /** Bytes of every regular file entry, by name; entries over `maxEntryBytes` are absent. */
  files: Map<string, Buffer>;
}

export interface ReadZipOptions {
  /** Stop inflating an entry past this many bytes (zip bomb guard). Default 64 MiB. */
  maxEntryBytes?: number;
}

/**
 * Reads a whole zip with yauzl (which validates the central directory and entry sizes, and
 * refuses to inflate more than an entry declares). Used by the re-packer, the uploader and tests;
 * `inspect` has its own scanner, which also checks local headers and reports rather than throws.
 */
export async function readZip(zipPath: string, options: ReadZipOptions = {}): Promise<ZipContents> {
  const maxEntryBytes = options.maxEntryBytes ?? 64 * 1024 * 1024;
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings=false: yauzl would otherwise reject unsafe names before we can report them.
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new DiagError('BUNDLE_INVALID', `${zipPath}: not a readable zip archive (${(error as Error).message})`, { cause: error });
  }
  const entries: ZipEntryInfo[] = [];
  const files = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        const name = Buffer.isBuffer(entry.fileName) ? (entry.fileName as unknown as Buffer).toString('utf8') : entry.fileName;
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const info: ZipEntryInfo = {
          name,
          compressedSize: entry.compressedSize,
          uncompressedSize: entry.uncompressedSize,
          unixMode,
          isDirectory: name.endsWith('/'),
          isSymlink: (unixMode & 0o170000) === 0o120000,
        };
        entries.push(info);
        if (info.isDirectory || info.isSymlink || entry.uncompressedSize > maxEntryBytes) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } catch (error) {
    throw new DiagError('BUNDLE_INVALID', `${zipPath}: corrupt zip entry (${(error as Error).message})`, { cause: error });
  } finally {
    zip.close();
  }
  return { entries, files };
}
