import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-faults-').dir;
});
afterEach(() => removeDir(root));

describe('faults inside diagnostics stay inside', () => {
  it('records the incident when the bundle cannot be written, and counts the fault', async () => {
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'bundles'), 'a file where the bundles directory should be');
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir, log: false, env: {} });
    const outcome = await diag.recordIncident({ kind: 'render-process-gone', reason: 'oom', exitCode: -536870904, url: 'app://codex/chat/1' });
    expect(outcome).toMatchObject({ status: 'recorded', bundle: null, queued: false });
    expect(outcome.status === 'recorded' && outcome.error).toBeTruthy();
    expect(diag.faults.byArea.bundle).toBe(1);
    expect((await diag.close()).completed).toBe(true);
  });

  it('delivers to renderers it was not attached to through the deliver option, and counts a throwing edge', async () => {
    const delivered: Array<[number, string]> = [];
    const diag = await createDiagnostics({
      logDir: path.join(root, 'logs'),
      dataDir: path.join(root, 'data'),
      log: false,
      env: {},
      deliver: (id, channel) => {
        if (id === 9) throw new Error('Object has been destroyed');
        delivered.push([id, channel]);
      },
    });
    diag.send(5, 'codex-diag:upload', { sent: 1 });
    diag.send(9, 'codex-diag:upload', { sent: 1 });
    expect(diag.markRendererReady(5)).toBeNull(); // no recordAppStarted: no latency
    expect(() => diag.markRendererReady(9)).not.toThrow();
    expect(delivered).toEqual([[5, 'codex-diag:upload']]);
    expect(diag.faults.byArea.delivery).toBe(1);
    expect(diag.deliveryStats()).toMatchObject({ delivered: 1, faults: 1, queued: 0 });
    await diag.close();
  });

  it('counts a renderer that nothing can reach instead of throwing', async () => {
    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {} });
    diag.markRendererReady(3);
    expect(diag.send(3, 'codex-diag:incident', {})).toBe('failed');
    expect(diag.faults.byArea.delivery).toBe(1);
    await diag.close();
  });
});
