import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MainThreadBundleRunner } from '../../src/bundle/bundle-runner.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { summariseMinidump } from '../../src/minidump/summary.js';
import { drainOutbox, enqueueBundle } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { WorkerBundleRunner } from '../../src/bundle/bundle-worker-runner.js';
import { minidumpAttachment, type MinidumpScrubber } from '../../src/upload/minidump-attachment.js';
import { PLANTED } from '../helpers/chromium-crash.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from '../minidump/helpers.js';
import { occurrences } from '../helpers/occurrences.js';
import { rendererCrashJob } from '../helpers/renderer-crash-job.js';

const NOW = Date.UTC(2026, 10, 21, 1, 2, 3);
const USER = 'zedcrashuser';
const HOME = `/home/${USER}`;
let tmp: ReturnType<typeof makeTempDir>;
let ingest: LocalIngest;
beforeEach(async () => {
  tmp = makeTempDir('codex-diag-minidump-upload-');
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  tmp.cleanup();
});

/** A bundle whose dump is raw but recorded as scrubbed: only the scrub on the way out protects it. */
async function bundleMarkedScrubbedButRaw(): Promise<string> {
  const bundle = await bundleWith(FIXTURES.renderer, 'raw');
  const { files } = await readZip(bundle);
  const { writeZipAtomically, digestSource } = await import('../../src/bundle/zip-writer.js');
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  manifest.native.scrubbed = true;
  const entries = [...files].filter(([n]) => n !== 'manifest.json').map(([name, data]) => ({ name, data }));
  manifest.files = entries.map((e) => ({ path: e.name, ...digestSource(e) }));
  await writeZipAtomically([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) }, ...entries], { path: bundle, noClobber: false }, new Date(NOW));
  return bundle;
}

async function bundleWith(fixture: string, mode: 'scrubbed' | 'raw' = 'scrubbed'): Promise<string> {
  const pending = path.join(tmp.dir, 'Crashpad', 'pending');
  mkdirSync(pending, { recursive: true });
  const dump = path.join(pending, '5d2f8e1a-3c4b-4d6e-8f90-a1b2c3d4e5f6.dmp');
  copyFileSync(fixture, dump);
  const job = rendererCrashJob(NOW, path.join(tmp.dir, 'bundles'), { homedir: HOME, username: USER }, { file: dump, mode }, {
    bundleId: '00000000-0000-4000-8000-000000000003',
  });
  const runner = new MainThreadBundleRunner(0);
  try {
    return (await runner.run(job)).path;
  } finally {
    await runner.close();
  }
}

async function send(bundle: string, scrubMinidump?: MinidumpScrubber) {
  const outboxDir = path.join(tmp.dir, `outbox-${ingest.envelopes.length}`);
  const clock = new ManualClock(NOW + 60_000);
  const sentBefore = ingest.envelopes.length;
  await enqueueBundle({ outboxDir, bundlePath: bundle, clock });
  expect(await drainOutbox({ outboxDir, dsn: ingest.dsn, clock, ...(scrubMinidump ? { scrubMinidump } : {}) })).toMatchObject({ sent: 1, failed: 0 });
  const envelope = ingest.envelopes[sentBefore]!;
  const event = ingest.events()[sentBefore]!;
  const minidumps = envelope.items.filter(([header]) => header.attachment_type === 'event.minidump');
  return { envelope, event, minidumps };
}

describe('a bundle minidump on its way to Sentry', () => {
  it('goes as an event.minidump attachment beside the zip; the event keeps codex-diag fingerprint and tags; no planted secret arrives', async () => {
    const bundle = await bundleWith(FIXTURES.renderer);
    const { envelope, event, minidumps } = await send(bundle);
    expect(minidumps).toHaveLength(1);
    const [header, payload] = minidumps[0]!;
    expect(header).toMatchObject({ type: 'attachment', filename: '5d2f8e1a-3c4b-4d6e-8f90-a1b2c3d4e5f6.dmp' });
    const dump = Buffer.from(payload as Uint8Array);
    expect(summariseMinidump(dump).processType).toBe('renderer');
    expect(envelope.items.some(([h]) => h.type === 'attachment' && String(h.filename).endsWith('.zip'))).toBe(true);
    expect(event.fingerprint).toEqual(['fp1', 'kind:render-process-gone', 'reason:crashed']);
    expect(event.tags).toMatchObject({ 'diag.fingerprint': 'fp1-00aa11bb22cc33dd', 'diag.kind': 'render-process-gone' });
    // Nothing planted reaches the ingest, in any item.
    for (const [, item] of envelope.items) {
      const bytes = typeof item === 'string' ? Buffer.from(item) : item instanceof Uint8Array ? item : Buffer.from(JSON.stringify(item));
      for (const secret of [PLANTED.memoryToken, PLANTED.memoryPassword, PLANTED.switchToken, HOME]) expect(occurrences(bytes, secret)).toBe(0);
    }
  });

  it('re-scrubs on the way out: a secret put back into the bundle dump does not leave', async () => {
    // A raw dump is sent raw only by explicit choice; recorded as scrubbed it is scrubbed again.
    const bundle = await bundleMarkedScrubbedButRaw();
    expect(occurrences(readFileSync(FIXTURES.renderer), PLANTED.memoryToken)).toBeGreaterThan(0);

    const { minidumps } = await send(bundle);
    expect(minidumps).toHaveLength(1);
    expect(occurrences(minidumps[0]![1] as Uint8Array, PLANTED.memoryToken)).toBe(0);
    expect(occurrences(minidumps[0]![1] as Uint8Array, PLANTED.switchToken)).toBe(0);
  });

  it('re-scrubbed in the bundle worker (as embedded) or here, paced (as the CLI), the same bytes arrive', async () => {
    const bundle = await bundleMarkedScrubbedButRaw();
    const runner = new WorkerBundleRunner();
    let inWorker = 0;
    const scrubber: MinidumpScrubber = async (bytes, identity) => {
      inWorker++;
      return (await runner.scrubMinidump({ bytes, redaction: identity })).bytes;
    };
    try {
      const viaWorker = (await send(bundle, scrubber)).minidumps;
      expect(inWorker).toBe(1);
      expect(runner.running && !runner.fellBack).toBe(true);
      const inProcess = (await send(bundle)).minidumps;
      expect(inWorker).toBe(1);
      const [a, b] = [Buffer.from(viaWorker[0]![1] as Uint8Array), Buffer.from(inProcess[0]![1] as Uint8Array)];
      expect(a.equals(b)).toBe(true);
      expect(a.length).toBe(readFileSync(FIXTURES.renderer).length);
      expect(occurrences(a, PLANTED.memoryToken)).toBe(0);
    } finally {
      await runner.close();
    }
  });

  it('a dump that would pass the request size limit stays in the zip only, and the event says so', () => {
    const files = new Map([['native/a.dmp', Buffer.alloc(1000)]]);
    expect(minidumpAttachment({ path: 'native/a.dmp', scrubbed: true }, files, 999)).toEqual({ omitted: expect.stringMatching(/size limit/) });
    expect(minidumpAttachment({ path: 'native/a.dmp', scrubbed: true }, files, 1000).attachment?.attachmentType).toBe('event.minidump');
    expect(minidumpAttachment(null, files, 1000)).toEqual({});
  });
});
