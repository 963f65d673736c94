import { readFileSync} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let root: string;
let ingest: LocalIngest;

beforeEach(async () => {
  root = makeTempDir('codex-diag-budget-').dir;
  ingest = await startLocalIngest();
});
afterEach(async () => {
  await ingest.close();
  removeDir(root);
});

const CRASH = { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' };

describe('the delivery budget in the service (on by default)', () => {
  it('holds repeats back across restarts and carries the count into the next event of the fingerprint', { timeout: 60_000 }, async () => {
    const clock = new ManualClock();
    const open = () =>
      createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, dsn: ingest.dsn, clock, upload: { startDelayMs: 0 }, crashLoop: { windowMs: 0 } });
    // Each run crashes once: the crash-loop limiter (per run) lets every one through; the budget does not.
    let diag = await open();
    expect(await diag.recordIncident(CRASH)).toMatchObject({ status: 'recorded', queued: true });
    await waitFor(() => ingest.events().length === 1, 'the first event', 30_000);
    await diag.close({ timeoutMs: 2_000 });
    for (let run = 0; run < 2; run++) {
      clock.advance(60_000);
      diag = await open();
      expect(await diag.recordIncident(CRASH)).toMatchObject({ status: 'held-back', reason: 'fingerprint-budget', heldBack: run + 1 });
      await diag.close({ timeoutMs: 2_000 });
    }
    // The default is 6 a day: the next token is 4 h after the first.
    clock.advance(4 * 3_600_000);
    diag = await open();
    expect(await diag.recordIncident(CRASH)).toMatchObject({ status: 'recorded', queued: true });
    await waitFor(() => ingest.events().length === 2, 'the second event', 30_000);
    await diag.close({ timeoutMs: 2_000 });
    const events = ingest.events();
    expect(events[0]?.extra).toBeUndefined();
    expect(events[1]?.extra).toEqual({ 'diag.held_back': 2 });
    const journal = readFileSync(path.join(root, 'data', 'held-back.jsonl'), 'utf8').trim().split('\n');
    expect(journal.map((l) => JSON.parse(l).reason)).toEqual(['fingerprint-budget', 'fingerprint-budget']);
  });

  it('budget: false sends every admitted incident', { timeout: 60_000 }, async () => {
    const clock = new ManualClock();
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, dsn: ingest.dsn, clock, upload: { startDelayMs: 0 }, crashLoop: { windowMs: 0 }, budget: false });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await diag.recordIncident(CRASH)).toMatchObject({ status: 'recorded', queued: true });
        clock.advance(1_000);
      }
      await waitFor(() => ingest.events().length === 3, 'three events', 30_000);
    } finally {
      await diag.close({ timeoutMs: 2_000 });
    }
  });

  it('a misspelt budget option is refused with its name', async () => {
    await expect(createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, budget: { perFingerprintPerDy: 3 } } as never)).rejects.toThrow(/budget\.perFingerprintPerDy/);
  });
});
