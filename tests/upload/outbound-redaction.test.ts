import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES, type BundleManifest } from '../../src/bundle/manifest.js';
import { inspectBundle } from '../../src/bundle/inspect.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { REDACTION_RULES_VERSION } from '../../src/bundle/redaction-rules-version.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { digestSource, writeZipAtomically, type ZipSource } from '../../src/bundle/zip-writer.js';
import { drainOutbox, enqueueBundle } from '../../src/upload/index.js';
import type { LocalIngest } from '../../src/upload/local-ingest.js';
import { buildOutboundUpload } from '../../src/upload/outbound-redaction.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTestBundle } from './helpers.js';
import { useLocalIngest } from './local-ingest-setup.js';

const REDACTOR = createRedactor({ homedir: '/home/tester', username: 'tester' });
const SECRETS = ['Xy9kQ2mN8pL4vR7tW3zA', 'tamperedPw42x', 'incidentTok77x', 'ada.lovelace'];

let dir: string;
let ingest: LocalIngest;
useLocalIngest(Date.UTC(2026, 10, 20, 12, 0, 0), (setup) => ({ dir, ingest } = setup));

/**
 * Edits a bundle the way an attacker (or an old build) could: secrets written into its log and
 * incident, and the manifest's sizes and checksums updated to match, so `inspect` passes it.
 */
async function tamper(bundlePath: string, options: { dropRulesVersion?: boolean; addSecrets?: boolean } = {}): Promise<void> {
  const { files } = await readZip(bundlePath);
  const manifest = JSON.parse(files.get(BUNDLE_ENTRIES.manifest)!.toString('utf8')) as BundleManifest;
  const edited = new Map(files);
  if (options.addSecrets !== false) {
    const leak = `2026-11-20T09:59:59.000Z error gitlab rejected glpat-${SECRETS[0]} password=${SECRETS[1]} for ${SECRETS[3]}@example.com`;
    edited.set(BUNDLE_ENTRIES.tailLog, Buffer.concat([files.get(BUNDLE_ENTRIES.tailLog)!, Buffer.from(`${leak}\n`)]));
    const row = JSON.stringify({ time: '2026-11-20T09:59:59.000Z', level: 'error', msg: leak, source: 'app.log', line: leak });
    edited.set(BUNDLE_ENTRIES.tailJsonl, Buffer.concat([files.get(BUNDLE_ENTRIES.tailJsonl)!, Buffer.from(`${row}\n`)]));
    const incident = JSON.parse(files.get(BUNDLE_ENTRIES.incident)!.toString('utf8')) as Record<string, unknown>;
    edited.set(BUNDLE_ENTRIES.incident, Buffer.from(JSON.stringify({ ...incident, reason: `oom token=${SECRETS[2]}` }, null, 2)));
    manifest.truncation.linesIncluded += 1;
  }
  if (options.dropRulesVersion) delete manifest.redactionRules;
  const entries: ZipSource[] = [...edited].filter(([name]) => name !== BUNDLE_ENTRIES.manifest).map(([name, data]) => ({ name, data }));
  manifest.files = entries.map((e) => ({ path: e.name, ...digestSource(e) }));
  const all = [{ name: BUNDLE_ENTRIES.manifest, data: Buffer.from(JSON.stringify(manifest, null, 2)) }, ...entries];
  await writeZipAtomically(all, { path: bundlePath, noClobber: false }, new Date(manifest.createdAt));
}

async function zipTexts(data: Uint8Array): Promise<Map<string, string>> {
  const file = path.join(dir, `sent-${Math.random().toString(36).slice(2)}.zip`);
  await fsp.writeFile(file, data);
  const { files } = await readZip(file);
  return new Map([...files].map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

describe('re-redaction on the way out', () => {
  it('a tampered bundle with consistent checksums passes inspect, yet none of its secrets reaches the ingest', async () => {
    const bundle = await makeTestBundle(dir, { lines: 20 });
    await tamper(bundle);
    const inspected = await inspectBundle(bundle);
    expect(inspected.problems).toEqual([]);

    const outboxDir = path.join(dir, 'outbox');
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    await enqueueBundle({ outboxDir, bundlePath: bundle, clock });
    const result = await drainOutbox({ outboxDir, dsn: ingest.dsn, clock });
    expect(result).toMatchObject({ sent: 1, failed: 0 });

    const envelope = ingest.envelopes[0]!;
    const [event] = ingest.events();
    const eventText = JSON.stringify(event);
    for (const secret of SECRETS) expect(eventText, `event holds ${secret}`).not.toContain(secret);
    // The breadcrumbs still tell the story, redacted.
    expect(eventText).toContain('glpat-[REDACTED:provider_token]');

    const attachments = envelope.items.filter(([h]) => h.type === 'attachment');
    expect(attachments.map(([h]) => h.filename)).toEqual([expect.stringMatching(/\.zip$/), 'tail.log']);
    for (const [header, payload] of attachments) {
      const bytes = payload as Uint8Array;
      const texts = header.filename === 'tail.log' ? new Map([['tail.log', Buffer.from(bytes).toString('utf8')]]) : await zipTexts(bytes);
      for (const [name, text] of texts) for (const secret of SECRETS) expect(text, `${header.filename as string}:${name} holds ${secret}`).not.toContain(secret);
    }
    // The zip that went out is a valid bundle of the current rule set, counting what it took out.
    const sentZip = attachments.find(([h]) => (h.filename as string).endsWith('.zip'))![1] as Uint8Array;
    const sentPath = path.join(dir, 'sent.zip');
    await fsp.writeFile(sentPath, sentZip);
    const sent = await inspectBundle(sentPath);
    expect(sent.problems).toEqual([]);
    expect(sent.manifest?.redactionRules).toBe(REDACTION_RULES_VERSION);
    expect(sent.manifest?.redaction.provider_token).toBeGreaterThan(0);
  });

  it('re-packs a bundle built by an older rule set, even when nothing in it changes', async () => {
    const bundle = await makeTestBundle(dir, { lines: 5 });
    await tamper(bundle, { dropRulesVersion: true, addSecrets: false });
    const upload = await buildOutboundUpload(bundle, { eventId: 'b'.repeat(32), redactor: REDACTOR });
    const texts = await zipTexts(upload.attachments[0]!.data);
    expect((JSON.parse(texts.get(BUNDLE_ENTRIES.manifest)!) as BundleManifest).redactionRules).toBe(REDACTION_RULES_VERSION);
    expect(upload.bundle.sha256).not.toBe(createHash('sha256').update(await fsp.readFile(bundle)).digest('hex'));
  });

  it('sends a current, clean bundle byte for byte', async () => {
    const bundle = await makeTestBundle(dir, { lines: 5 });
    const upload = await buildOutboundUpload(bundle, { eventId: 'c'.repeat(32), redactor: REDACTOR });
    expect(Buffer.from(upload.attachments[0]!.data).equals(await fsp.readFile(bundle))).toBe(true);
    // And leaves nothing behind in the outbox's directory.
    expect((await fsp.readdir(dir)).filter((f) => f.includes('outbound'))).toEqual([]);
  });
});
