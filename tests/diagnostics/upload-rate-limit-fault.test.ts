import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
let ingest: LocalIngest;

beforeEach(async () => {
  root = makeTempDir('codex-diag-rate-fault-').dir;
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  removeDir(root);
});

describe('a rate limit that makes no sense', () => {
  it('is ignored, the bundle is sent, and the fault is counted in diag.faults', async () => {
    const clock = new ManualClock();
    const dataDir = path.join(root, 'data');
    mkdirSync(path.join(dataDir, 'outbox'), { recursive: true });
    // What `X-Sentry-Rate-Limits: 99999999999999999999:error:org` left behind before limits were capped.
    writeFileSync(path.join(dataDir, 'outbox', 'rate-limits.json'), JSON.stringify({ error: 1e23 }));
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir, log: false, env: {}, dsn: ingest.dsn, clock, upload: { startDelayMs: 0 } });
    try {
      await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' });
      clock.advance(1);
      await waitFor(() => ingest.events().length === 1, 'the event', 10_000);
      await waitFor(() => (diag.faults.byArea.upload ?? 0) === 1, 'the fault to be counted', 10_000);
    } finally {
      await diag.close({ timeoutMs: 2_000 });
    }
  });
});
