import { DiagError } from '../errors.js';
import { jsonText, type BuiltBundle } from './builder.js';
import { splitLines } from './inspect.js';
import { BUNDLE_ENTRIES, bundleManifestSchema, type BundleManifest } from './manifest.js';
import type { RedactionCounts } from './redactor.js';
import { readZip } from './zip-reader.js';
import { digestSource, writeZipAtomically, type ZipSource } from './zip-writer.js';

export interface RepackOptions {
  /** Keep at most this many of the newest log lines. */
  maxLines: number;
}

const MARKER = /\[REDACTED:([A-Za-z0-9_]+)\]/g;

/**
 * Rebuilds a smaller valid bundle from an existing one (what an HTTP 413 asks for): the newest
 * `maxLines` log lines, every other entry as it was, the same bundleId, createdAt and incident.
 * Redaction counts lose what the dropped lines held; `truncation` records the repack.
 * Written atomically to `destPath` (mode 0600); the source is not touched.
 */
export async function repackBundle(srcPath: string, destPath: string, options: RepackOptions): Promise<BuiltBundle> {
  const maxLines = Math.max(0, Math.floor(options.maxLines));
  const { files, manifest: parsed } = await readBundleForRewrite(srcPath);

  const logLines = linesOf(files.get(BUNDLE_ENTRIES.tailLog));
  const jsonLines = linesOf(files.get(BUNDLE_ENTRIES.tailJsonl));
  const keptLog = logLines.slice(Math.max(0, logLines.length - maxLines));
  const keptJson = jsonLines.slice(Math.max(0, jsonLines.length - maxLines));
  const droppedLog = logLines.slice(0, logLines.length - keptLog.length);

  // Each redaction left one marker in tail.log; the dropped lines take theirs with them.
  const redaction: RedactionCounts = { ...parsed.redaction };
  for (const line of droppedLog) {
    for (const match of line.matchAll(MARKER)) {
      const rule = match[1]!;
      if (redaction[rule] !== undefined) redaction[rule] = Math.max(0, redaction[rule] - 1);
    }
  }

  const entries: ZipSource[] = [];
  // report.html shows the lines the bundle had; a smaller bundle drops it rather than disagree with it.
  const hadReport = parsed.files.some((file) => file.path === BUNDLE_ENTRIES.report);
  for (const file of parsed.files) {
    if (file.path === BUNDLE_ENTRIES.report) continue;
    if (file.path === BUNDLE_ENTRIES.tailLog) entries.push({ name: file.path, data: textOf(keptLog) });
    else if (file.path === BUNDLE_ENTRIES.tailJsonl) entries.push({ name: file.path, data: textOf(keptJson) });
    else {
      const data = files.get(file.path);
      if (!data) throw new DiagError('BUNDLE_INVALID', `${srcPath}: ${file.path} is listed but missing`);
      entries.push({ name: file.path, data });
    }
  }
  const truncation = parsed.truncation;
  const manifest: BundleManifest = {
    ...parsed,
    files: entries.map((entry) => ({ path: entry.name, ...digestSource(entry) })),
    redaction,
    truncation: {
      ...truncation,
      truncated: truncation.truncated || droppedLog.length > 0,
      linesIncluded: keptLog.length,
      droppedBySizeLimit: truncation.droppedBySizeLimit + droppedLog.length,
      repacked: { maxLines, droppedLines: droppedLog.length },
      ...(hadReport ? { report: 'report.html left out by the re-pack' } : {}),
    },
  };
  const manifestEntry: ZipSource = { name: BUNDLE_ENTRIES.manifest, data: Buffer.from(jsonText(manifest)) };
  const written = await writeZipAtomically([manifestEntry, ...entries], { path: destPath, noClobber: false }, new Date(parsed.createdAt));
  return { ...written, bundleId: manifest.bundleId, manifest, lines: keptLog.length, redactions: redaction };
}

function linesOf(data: Buffer | undefined): string[] {
  return data ? splitLines(data) : [];
}

function textOf(lines: readonly string[]): Buffer {
  return Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '');
}

/** A bundle's entries and its validated manifest, for the rewriters (413 re-pack, re-redaction). */
export async function readBundleForRewrite(srcPath: string): Promise<{ files: Map<string, Buffer>; manifest: BundleManifest }> {
  const { files } = await readZip(srcPath);
  const manifestBytes = files.get(BUNDLE_ENTRIES.manifest);
  if (!manifestBytes) throw new DiagError('BUNDLE_INVALID', `${srcPath}: manifest.json is missing`);
  let parsed: BundleManifest;
  try {
    parsed = bundleManifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
  } catch (error) {
    throw new DiagError('BUNDLE_INVALID', `${srcPath}: manifest.json is not a valid v1 manifest (${(error as Error).message.split('\n')[0]})`);
  }
  return { files, manifest: parsed };
}
