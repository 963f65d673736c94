import { readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-metrics-log-').dir;
});
afterEach(() => removeDir(root));

function ownLogRecords(logDir: string): Array<Record<string, unknown>> {
  return readdirSync(logDir)
    .filter((f) => /^codex-diag\..*\d+\.log$/.test(f))
    .flatMap((f) => readFileSync(path.join(logDir, f), 'utf8').trim().split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('rolling metrics in codex-diag’s own log', () => {
  it('reports every metrics.windowMs while requests come in, never when idle, and stops on close', async () => {
    const clock = new ManualClock();
    const logDir = path.join(root, 'logs');
    const diag = await createDiagnostics({ logDir, dataDir: path.join(root, 'data'), env: {}, clock, metrics: { windowMs: 5_000 } });
    clock.advance(5_100); // idle; then records well inside the next report's window
    diag.metrics.record('thread/start', 120, true);
    diag.metrics.record('thread/start', 80, false);
    clock.advance(4_900);
    clock.advance(20_100); // idle again
    diag.metrics.record('turn/run', 7, true);
    clock.advance(4_900);
    diag.metrics.record('turn/run', 9, true);
    const result = await diag.close({ timeoutMs: 5_000 });
    expect(result.completed).toBe(true);
    expect(clock.pending).toBe(0); // close stopped the report timer (and every other one)
    clock.advance(60_000);

    const reports = ownLogRecords(logDir).filter((r) => String(r.msg).startsWith('request metrics'));
    expect(reports).toHaveLength(2);
    expect(reports[0]!.msg).toMatch(/^request metrics \(5s\): thread\/start n=2 err=50% /);
    expect(reports[0]!.metrics).toMatchObject({ windowMs: 5_000, methods: { 'thread/start': { count: 2, errorRate: 0.5 } } });
    expect(reports[1]!.metrics).toMatchObject({ methods: { 'turn/run': { count: 1 } } });
  });
});
