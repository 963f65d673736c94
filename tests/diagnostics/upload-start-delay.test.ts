import { readdirSync} from 'node:fs';
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
  root = makeTempDir('codex-diag-start-delay-').dir;
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  removeDir(root);
});

describe('uploads during start-up', () => {
  it('queues a start-up crash at once but sends it only after upload.startDelayMs', async () => {
    const clock = new ManualClock();
    const dataDir = path.join(root, 'data');
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir, log: false, env: {}, dsn: ingest.dsn, clock, upload: { startDelayMs: 5_000 } });
    try {
      const outcome = await diag.recordIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' });
      expect(outcome).toMatchObject({ status: 'recorded', queued: true });
      // Durable before any network I/O, and nothing sent yet: sending would import Sentry during start-up.
      expect(readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.zip'))).toHaveLength(1);
      clock.advance(4_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(ingest.received).toHaveLength(0);

      clock.advance(1_500);
      await waitFor(() => ingest.events().length === 1, 'the event', 10_000);
      await waitFor(() => readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.zip')).length === 0, 'the outbox to empty', 10_000);
    } finally {
      await diag.close({ timeoutMs: 2_000 });
    }
  });
});
