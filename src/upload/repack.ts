import { createHash } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { readZip } from '../bundle/zip-reader.js';
import { DiagError } from '../errors.js';

/** Re-packs a bundle keeping only the last `maxLines` log lines (what a 413 asks for). */
export type RepackBundle = (srcPath: string, destPath: string, options: { maxLines: number }) => Promise<void>;

/**
 * The uploader's own re-packer, used until src/bundle's `repackBundle` is wired in by the caller:
 * keeps every entry, cuts logs/tail.log and logs/tail.jsonl to their last `maxLines` lines, and
 * rewrites the manifest's `files` (bytes, sha256) and `truncation` so the bundle still verifies.
 */
export const repackBundleLocally: RepackBundle = async (srcPath, destPath, { maxLines }) => {
  const { files } = await readZip(srcPath);
  const manifestBytes = files.get('manifest.json');
  if (!manifestBytes) throw new DiagError('BUNDLE_INVALID', `${srcPath}: manifest.json is missing`);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Record<string, unknown>;
  const out = new Map(files);
  let droppedLines = 0;
  for (const name of ['logs/tail.log', 'logs/tail.jsonl']) {
    const bytes = files.get(name);
    if (!bytes) continue;
    const lines = bytes.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const kept = lines.slice(-maxLines);
    if (name === 'logs/tail.log') droppedLines = lines.length - kept.length;
    out.set(name, Buffer.from(kept.length > 0 ? `${kept.join('\n')}\n` : ''));
  }
  out.delete('manifest.json');
  const previous = typeof manifest.truncation === 'object' && manifest.truncation !== null ? manifest.truncation : {};
  manifest.truncation = { ...previous, repackedForUpload: true, uploadMaxLines: maxLines, uploadDroppedLines: droppedLines };
  manifest.files = [...out.entries()].map(([path, data]) => ({
    path,
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  }));
  const { ZipArchive } = await import('archiver');
  const archive = new ZipArchive({ zlib: { level: 9 } });
  archive.append(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { name: 'manifest.json', mode: 0o600 });
  for (const [name, data] of out) archive.append(data, { name, mode: 0o600 });
  const done = pipeline(archive, createWriteStream(destPath, { mode: 0o600 }));
  await archive.finalize();
  await done;
  await fsp.chmod(destPath, 0o600);
};
