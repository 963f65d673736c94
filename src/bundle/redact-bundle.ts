import { jsonText } from './builder.js';
import { BUNDLE_ENTRIES, type BundleManifest } from './manifest.js';
import { REDACTION_RULES_VERSION } from './redaction-rules-version.js';
import { addCounts, type RedactionCounts, type RedactionSession, type Redactor } from './redactor.js';
import { readBundleForRewrite } from './repack.js';
import { digestSource, writeZipAtomically, type ZipSource } from './zip-writer.js';

export interface ReredactResult {
  /** A re-packed bundle was written to the destination (else the source is fine as it is). */
  repacked: boolean;
  /** What the current rules found that the bundle still held. */
  counts: RedactionCounts;
  /** The rule set version the source was built with. */
  sourceRules: number;
}

/** Entries that are text; anything else (a minidump) is scrubbed by its own module and passes as it is. */
const TEXT_ENTRY = /\.(?:json|jsonl|log|txt|html)$/;

/**
 * Passes every text entry of a bundle through the current redactor. When that changes anything (a
 * bundle built by older rules, or edited after it was built, checksums and all), or the bundle was
 * built by an older rule set, a re-packed bundle goes to `destPath`: the same entries, redacted, the
 * manifest's checksums and counts updated and `redactionRules` current. The source is not touched.
 */
export async function reredactBundle(srcPath: string, destPath: string, redactor: Redactor): Promise<ReredactResult> {
  const { files, manifest: parsed } = await readBundleForRewrite(srcPath);
  const sourceRules = parsed.redactionRules ?? 1;
  const session = redactor.session();
  const entries: ZipSource[] = [];
  let changed = false;
  for (const [name, data] of files) {
    if (name === BUNDLE_ENTRIES.manifest) continue;
    if (!TEXT_ENTRY.test(name)) {
      entries.push({ name, data });
      continue;
    }
    const text = data.toString('utf8');
    const redacted = redactEntry(name, text, session);
    session.endOfSource();
    if (redacted !== text) {
      changed = true;
      entries.push({ name, data: Buffer.from(redacted) });
    } else entries.push({ name, data });
  }
  // The manifest's own texts (app name and version, incident title) pass too.
  const before = session.total();
  const manifestFields = session.value({ app: parsed.app, platform: parsed.platform, incident: parsed.incident }) as Pick<BundleManifest, 'app' | 'platform' | 'incident'>;
  if (session.total() !== before) changed = true;
  const counts = session.counts();
  if (!changed && sourceRules >= REDACTION_RULES_VERSION) return { repacked: false, counts, sourceRules };

  const manifest: BundleManifest = {
    ...parsed,
    ...manifestFields,
    files: entries.map((entry) => ({ path: entry.name, ...digestSource(entry) })),
    redaction: addCounts({ ...parsed.redaction }, counts),
    redactionRules: REDACTION_RULES_VERSION,
  };
  const manifestEntry: ZipSource = { name: BUNDLE_ENTRIES.manifest, data: Buffer.from(jsonText(manifest)) };
  await writeZipAtomically([manifestEntry, ...entries], { path: destPath, noClobber: false }, new Date(parsed.createdAt));
  return { repacked: true, counts, sourceRules };
}

/**
 * A JSON entry is redacted as a value and written as the builder writes it: an entry in any other
 * layout (a duplicate key hiding a value from the parse) is rewritten too. Every other text goes line by line.
 */
function redactEntry(name: string, text: string, session: RedactionSession): string {
  if (name.endsWith('.json')) {
    try {
      return jsonText(session.value(JSON.parse(text)));
    } catch {
      // Not JSON after all: its lines, as any text.
    }
  }
  return text
    .split('\n')
    .map((line) => session.line(line))
    .join('\n');
}
