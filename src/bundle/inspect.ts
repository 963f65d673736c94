import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import yauzl from 'yauzl';
import type { Entry } from 'yauzl';
import { DiagError, errnoCode } from '../errors.js';
import { resolveBounds, type BundleBounds } from './bounds.js';
import type { NativeCheckIdentity } from './inspect-native.js';
import { BUNDLE_ENTRIES, bundleManifestSchema, NATIVE_ENTRY, OPTIONAL_FILES, REQUIRED_FILES, type BundleManifest } from './manifest.js';
import { zipLayoutProblems, type EntryRegion } from './zip-layout.js';

export interface InspectOptions {
  /** The bounds a bundle must keep (default: the contract's). */
  bounds?: Partial<BundleBounds>;
  /** An entry inflating more than this many times its compressed size, past `ratioMinBytes`, is a suspected zip bomb. */
  maxCompressionRatio?: number;
  ratioMinBytes?: number;
  /** Whose home dir and user name a scrubbed minidump must not hold (default: this process's user). */
  identity?: NativeCheckIdentity;
}

export interface InspectResult {
  ok: boolean;
  /** The manifest when it validated against the schema, else null. */
  manifest: BundleManifest | null;
  /** manifest.json as parsed, valid or not (null when absent or not JSON). */
  rawManifest: unknown;
  /** Every problem found, one line each. */
  problems: string[];
  /** Entries read (only those within the bounds were inflated), by name. */
  files: Map<string, Buffer>;
}

interface ScannedEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  isSymlink: boolean;
}

/** Entries looked at in a zip; a bundle has at most 7. */
const MAX_SCANNED_ENTRIES = 64;

/** Slack above the bundle bound for entries other than the logs (manifest and JSON entries). */
const ENTRY_SLACK_BYTES = 1024 * 1024;

/**
 * Verifies a bundle without trusting it: entry names (no absolute paths, `..`, backslashes, drive
 * letters, symlinks or duplicates), declared and actual sizes against the bounds before anything
 * is inflated (zip bombs), compression ratios, the manifest against its schema, and every file's
 * size and sha256. Collects every problem instead of stopping at the first.
 * A file that does not exist is NOT_FOUND (exit 2); everything else is a problem in the result.
 */
export async function inspectBundle(bundlePath: string, options: InspectOptions = {}): Promise<InspectResult> {
  const bounds = resolveBounds(options.bounds);
  const maxRatio = options.maxCompressionRatio ?? 200;
  const ratioMinBytes = options.ratioMinBytes ?? 4 * 1024 * 1024;
  const entryLimit = bounds.maxBundleBytes + ENTRY_SLACK_BYTES;
  const problems: string[] = [];

  let size: number;
  try {
    const stat = await fsp.lstat(bundlePath);
    if (!stat.isFile()) throw new DiagError('BAD_INPUT', `${bundlePath}: not a regular file`);
    size = stat.size;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new DiagError('NOT_FOUND', `${bundlePath}: no such bundle`);
    throw error;
  }
  if (size > bounds.maxBundleBytes) problems.push(`bundle is ${size} bytes, over the ${bounds.maxBundleBytes}-byte bound`);

  const files = new Map<string, Buffer>();
  const entries: ScannedEntry[] = [];
  try {
    await scanZip(bundlePath, entries, files, problems, { entryLimit, totalLimit: entryLimit, maxRatio, ratioMinBytes });
  } catch (error) {
    problems.push(`not a readable zip archive: ${(error as Error).message}`);
  }

  checkNames(entries, problems);
  const { manifest, rawManifest } = checkManifest(files, entries, problems);
  if (manifest) checkFiles(manifest, files, entries, problems);
  checkJsonEntries(files, problems);
  if (manifest) checkLineCount(manifest, files, problems);
  if (manifest) await checkNative(manifest, files, problems, options.identity);
  return { ok: problems.length === 0, manifest, rawManifest, problems, files };
}

interface ScanLimits {
  entryLimit: number;
  totalLimit: number;
  maxRatio: number;
  ratioMinBytes: number;
}

async function scanZip(
  bundlePath: string,
  entries: ScannedEntry[],
  files: Map<string, Buffer>,
  problems: string[],
  limits: ScanLimits,
): Promise<void> {
  // decodeStrings=false: yauzl would reject unsafe names before we could report them all.
  const zip = await yauzl.openPromise(bundlePath, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  // yauzl keeps the central directory's offset only as its read cursor (yauzl@3, read before the first entry).
  const cursor = (zip as unknown as { readEntryCursor?: unknown }).readEntryCursor;
  const centralDirectoryOffset = typeof cursor === 'number' ? cursor : undefined;
  const regions: EntryRegion[] = [];
  let inflated = 0;
  // A bundle has 7 entries at most: a zip with thousands is not one, and is not worth reading whole.
  const tooMany = zip.entryCount > MAX_SCANNED_ENTRIES;
  if (tooMany) problems.push(`holds ${zip.entryCount} entries, not a bundle of format v1 (only the first ${MAX_SCANNED_ENTRIES} were checked)`);
  let scannedCount = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => void scanEntry(entry).catch(reject));
      const scanEntry = async (entry: Entry) => {
        if (++scannedCount > MAX_SCANNED_ENTRIES) return resolve();
        const raw = entry.fileName as unknown as Buffer | string;
        const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
        if (Buffer.isBuffer(raw) && !Buffer.from(name, 'utf8').equals(raw)) problems.push(`entry ${JSON.stringify(name)}: name is not valid UTF-8`);
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const scanned: ScannedEntry = {
          name,
          compressedSize: entry.compressedSize,
          uncompressedSize: entry.uncompressedSize,
          isSymlink: (unixMode & 0o170000) === 0o120000,
        };
        entries.push(scanned);
        const label = `entry ${JSON.stringify(name)}`;
        let skip = scanned.isSymlink || name.endsWith('/');
        // The local header is what a front-to-back extractor sees: it must agree with the central directory.
        try {
          const local = await zip.readLocalFileHeaderPromise(entry);
          if (Buffer.isBuffer(raw) && !Buffer.from(local.fileName).equals(raw)) {
            problems.push(`${label}: its local header names it ${JSON.stringify(Buffer.from(local.fileName).toString('utf8'))} (the central directory lies)`);
          }
          regions.push({ name, start: entry.relativeOffsetOfLocalHeader, end: local.fileDataStart + entry.compressedSize });
        } catch (error) {
          problems.push(`${label}: local header unreadable (${(error as Error).message})`);
          skip = true;
        }
        if (entry.uncompressedSize > limits.entryLimit) {
          problems.push(`${label}: declares ${entry.uncompressedSize} bytes uncompressed, over the ${limits.entryLimit}-byte bound (not inflated)`);
          skip = true;
        }
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
        if (entry.uncompressedSize >= limits.ratioMinBytes && ratio > limits.maxRatio) {
          problems.push(`${label}: compression ratio ${Math.round(ratio)}:1 is over ${limits.maxRatio}:1 (suspected zip bomb, not inflated)`);
          skip = true;
        }
        if (!skip && inflated + entry.uncompressedSize > limits.totalLimit) {
          problems.push(`${label}: the entries together pass the ${limits.totalLimit}-byte bound (not inflated)`);
          skip = true;
        }
        if (skip || files.has(name)) {
          zip.readEntry();
          return;
        }
        inflated += entry.uncompressedSize;
        zip.openReadStream(entry, (err, stream) => {
          if (err) {
            problems.push(`${label}: cannot be read (${err.message})`);
            zip.readEntry();
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          // yauzl stops inflating past the declared size (validateEntrySizes) and reports it here.
          stream.on('error', (e: Error) => {
            problems.push(`${label}: corrupt data (${e.message})`);
            zip.readEntry();
          });
          stream.on('end', () => {
            files.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      };
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  if (!tooMany) problems.push(...zipLayoutProblems(regions, centralDirectoryOffset));
}

/** Problems with an entry's name: anything that could escape or confuse an extracting tool. */
export function unsafeNameReasons(name: string): string[] {
  const reasons: string[] = [];
  if (name === '') reasons.push('empty name');
  if (name.startsWith('/')) reasons.push('absolute path');
  if (/^[A-Za-z]:/.test(name)) reasons.push('drive letter');
  if (name.includes('\\')) reasons.push('backslash in name');
  if (name.split(/[\\/]/).includes('..')) reasons.push('".." path segment');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) reasons.push('control character in name');
  return reasons;
}

function checkNames(entries: readonly ScannedEntry[], problems: string[]): void {
  const seen = new Map<string, number>();
  for (const entry of entries) seen.set(entry.name, (seen.get(entry.name) ?? 0) + 1);
  const known = new Set<string>([BUNDLE_ENTRIES.manifest, ...REQUIRED_FILES, ...OPTIONAL_FILES]);
  for (const entry of entries) {
    const label = `entry ${JSON.stringify(entry.name)}`;
    for (const reason of unsafeNameReasons(entry.name)) problems.push(`${label}: unsafe name (${reason})`);
    if (entry.isSymlink) problems.push(`${label}: is a symbolic link`);
    else if (entry.name.endsWith('/')) problems.push(`${label}: unexpected directory entry`);
    else if (!known.has(entry.name) && !NATIVE_ENTRY.test(entry.name)) problems.push(`${label}: not an entry of bundle format v1`);
  }
  const natives = entries.filter((e) => NATIVE_ENTRY.test(e.name)).length;
  if (natives > 1) problems.push(`holds ${natives} native/ entries, a bundle carries at most one minidump`);
  for (const [name, count] of seen) {
    if (count > 1) problems.push(`entry ${JSON.stringify(name)}: appears ${count} times`);
  }
}

function checkManifest(
  files: Map<string, Buffer>,
  entries: readonly ScannedEntry[],
  problems: string[],
): { manifest: BundleManifest | null; rawManifest: unknown } {
  const bytes = files.get(BUNDLE_ENTRIES.manifest);
  if (!bytes) {
    if (!entries.some((e) => e.name === BUNDLE_ENTRIES.manifest)) problems.push('manifest.json: missing');
    return { manifest: null, rawManifest: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    problems.push(`manifest.json: not JSON (${(error as Error).message})`);
    return { manifest: null, rawManifest: null };
  }
  const parsed = bundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      problems.push(`manifest.json: ${where}: ${issue.message}`);
    }
    return { manifest: null, rawManifest: raw };
  }
  return { manifest: parsed.data, rawManifest: raw };
}

function checkFiles(manifest: BundleManifest, files: Map<string, Buffer>, entries: readonly ScannedEntry[], problems: string[]): void {
  const present = new Set(entries.map((e) => e.name));
  const listed = new Set<string>();
  for (const file of manifest.files) {
    if (listed.has(file.path)) problems.push(`manifest.json: ${file.path} is listed twice`);
    listed.add(file.path);
    if (!present.has(file.path)) {
      problems.push(`${file.path}: listed in the manifest but missing from the zip`);
      continue;
    }
    const data = files.get(file.path);
    if (!data) continue; // not inflated: a size or name problem was already recorded
    if (data.length !== file.bytes) problems.push(`${file.path}: ${data.length} bytes, the manifest says ${file.bytes}`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== file.sha256) problems.push(`${file.path}: sha256 ${sha256} does not match the manifest's ${file.sha256}`);
  }
  for (const name of present) {
    if (name !== BUNDLE_ENTRIES.manifest && !listed.has(name)) problems.push(`${name}: in the zip but not listed in the manifest`);
  }
  for (const name of REQUIRED_FILES) {
    if (!present.has(name)) problems.push(`${name}: required by bundle format v1 but missing`);
  }
}

function checkJsonEntries(files: Map<string, Buffer>, problems: string[]): void {
  for (const name of [BUNDLE_ENTRIES.incident, BUNDLE_ENTRIES.state, BUNDLE_ENTRIES.metrics, BUNDLE_ENTRIES.system]) {
    const data = files.get(name);
    if (!data) continue;
    try {
      JSON.parse(data.toString('utf8'));
    } catch {
      problems.push(`${name}: not JSON`);
    }
  }
  const jsonl = files.get(BUNDLE_ENTRIES.tailJsonl);
  if (jsonl) {
    const bad = splitLines(jsonl).findIndex((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    if (bad >= 0) problems.push(`${BUNDLE_ENTRIES.tailJsonl}: line ${bad + 1} is not JSON`);
  }
}

async function checkNative(manifest: BundleManifest, files: Map<string, Buffer>, problems: string[], identity: NativeCheckIdentity | undefined): Promise<void> {
  const native = manifest.native;
  const present = [...files.keys()].filter((name) => NATIVE_ENTRY.test(name));
  for (const name of present) {
    if (native?.path !== name) problems.push(`${name}: not the minidump the manifest's native record names`);
  }
  if (!native?.path) return;
  const data = files.get(native.path);
  if (!data) return; // missing or not inflated: already a problem of checkFiles
  const { nativeEntryProblems } = await import('./inspect-native.js');
  problems.push(...(await nativeEntryProblems(native, data, identity)));
}

function checkLineCount(manifest: BundleManifest, files: Map<string, Buffer>, problems: string[]): void {
  const log = files.get(BUNDLE_ENTRIES.tailLog);
  if (!log) return;
  const lines = splitLines(log).length;
  if (lines !== manifest.truncation.linesIncluded) {
    problems.push(`${BUNDLE_ENTRIES.tailLog}: ${lines} lines, manifest truncation.linesIncluded says ${manifest.truncation.linesIncluded}`);
  }
  if (lines > manifest.truncation.bounds.maxLines) {
    problems.push(`${BUNDLE_ENTRIES.tailLog}: ${lines} lines, over the bundle's maxLines bound ${manifest.truncation.bounds.maxLines}`);
  }
}

/** Lines of a text entry (each ends with `\n`). */
export function splitLines(data: Buffer): string[] {
  const text = data.toString('utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
