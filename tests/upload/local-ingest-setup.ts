import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface LocalIngestSetup {
  /** A fresh temp dir, removed after the test. */
  dir: string;
  /** `outbox` inside dir (not made: the outbox makes it). */
  outboxDir: string;
  /** A real HTTP ingest on localhost, closed after the test. */
  ingest: LocalIngest;
  clock: ManualClock;
}

/**
 * Before each test of the calling suite: a temp dir, an outbox path in it, a local ingest and a
 * manual clock at `now`, handed to `use`; after it, the ingest closed and the dir removed.
 */
export function useLocalIngest(now: number, use: (setup: LocalIngestSetup) => void): void {
  let setup: LocalIngestSetup | undefined;
  beforeEach(async () => {
    const dir = await tempDir();
    setup = { dir, outboxDir: path.join(dir, 'outbox'), ingest: await startLocalIngest(), clock: new ManualClock(now) };
    use(setup);
  });
  afterEach(async () => {
    if (!setup) return;
    await setup.ingest.close();
    await fsp.rm(setup.dir, { recursive: true, force: true });
    setup = undefined;
  });
}
