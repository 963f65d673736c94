import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/bundle/zip-reader.js';
import { DiagnosticsService } from '../../src/diagnostics/service.js';
import { summariseMinidump } from '../../src/minidump/summary.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { crashChromium, hasChromium, PLANTED, type ChromiumCrashes } from '../helpers/chromium-crash.js';
import { waitFor } from '../helpers/wait-for.js';
import { occurrences } from '../helpers/occurrences.js';

const SECRETS = [PLANTED.urlToken, PLANTED.memoryToken, PLANTED.memoryPassword, PLANTED.switchToken];

describe.skipIf(!hasChromium)('real Chromium crashes → scrubbed native/<id>.dmp → event.minidump at a Sentry-compatible ingest', () => {
  let crashes: ChromiumCrashes;
  let ingest: LocalIngest;
  let diag: DiagnosticsService;
  const bundles: string[] = [];

  beforeAll(async () => {
    crashes = await crashChromium();
    ingest = await startLocalIngest();
    const logDir = path.join(crashes.root, 'logs');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(path.join(logDir, 'app.1.log'), `{"level":50,"time":${Date.now()},"msg":"renderer gone"}\n`);
    diag = await DiagnosticsService.open({
      logDir,
      dataDir: path.join(crashes.root, 'data'),
      log: false,
      env: {},
      homedir: crashes.homedir,
      dsn: ingest.dsn,
      sessions: false,
      upload: { startDelayMs: 0 },
      crashDir: crashes.crashDir,
      crashDumps: { waitMs: 5_000 },
    });
    diag.on('bundle', (b) => bundles.push(b.path));
  }, 120_000);

  afterAll(async () => {
    await diag?.close({ timeoutMs: 5_000 });
    await ingest?.close();
    await crashes?.cleanup();
  });

  it('the planted secrets are in the raw dumps (what the test is about)', async () => {
    const { readFileSync } = await import('node:fs');
    const raw = Buffer.concat([readFileSync(crashes.renderer!.file), readFileSync(crashes.gpu!.file)]);
    expect(SECRETS.reduce((n, s) => n + occurrences(raw, s), 0)).toBeGreaterThan(0);
  });

  it('a renderer crash and a GPU crash each reach the ingest with their scrubbed dump as event.minidump', async () => {
    const now = new Date().toISOString();
    await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 5, url: `http://127.0.0.1/chat/42?access_token=${PLANTED.urlToken}`, occurredAt: now });
    await diag.recordIncident({ kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: 5, occurredAt: now });
    await waitFor(() => ingest.envelopes.length >= 2, 'two envelopes at the ingest', 60_000);

    const processTypes: string[] = [];
    for (const envelope of ingest.envelopes) {
      const minidumps = envelope.items.filter(([h]) => h.attachment_type === 'event.minidump');
      expect(minidumps).toHaveLength(1);
      const dump = Buffer.from(minidumps[0]![1] as Uint8Array);
      processTypes.push(summariseMinidump(dump).processType ?? 'unknown');
      // Nothing planted arrives, in any item of the envelope.
      for (const [, payload] of envelope.items) {
        const bytes = payload instanceof Uint8Array ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
        for (const secret of [...SECRETS, crashes.homedir]) expect(occurrences(bytes, secret), secret).toBe(0);
      }
      const event = envelope.items.find(([h]) => h.type === 'event')![1] as Record<string, unknown>;
      expect((event.tags as Record<string, string>)['diag.fingerprint']).toMatch(/^fp1-/);
    }
    expect(processTypes.sort()).toEqual(['gpu-process', 'renderer']);

    // The bundles on disk carry the same scrubbed dumps.
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      const { files } = await readZip(bundle);
      const native = [...files].find(([name]) => name.startsWith('native/'));
      expect(native).toBeDefined();
      for (const secret of [...SECRETS, crashes.homedir]) expect(occurrences(native![1], secret)).toBe(0);
    }
  }, 90_000);
});
