import { readdirSync} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagError } from '../../src/errors.js';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { parseDiagnosticsOptions } from '../../src/diagnostics/options.js';
import type { SidecarEvent } from '../../src/runtime/sidecar-types.js';
import type { IncidentEvent } from '../../src/diagnostics/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('codex-diag-options-').dir;
});
afterEach(() => removeDir(root));

async function rejection(promise: Promise<unknown>): Promise<DiagError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiagError);
  return error as DiagError;
}

describe('createDiagnostics options', () => {
  it('names the option and what was expected', async () => {
    const bad = await rejection(createDiagnostics({ recovery: { maxReloads: -1 } }));
    expect(bad.code).toBe('BAD_USAGE');
    expect(bad.message).toMatch(/option recovery\.maxReloads: .*>=0/);
    const unknown = await rejection(createDiagnostics({ recovery: { maxReload: 3 } } as never));
    expect(unknown.message).toContain('unknown option recovery.maxReload');
    const top = await rejection(createDiagnostics({ dataDirectory: '/x' } as never));
    expect(top.message).toContain('unknown option dataDirectory');
    // Past setTimeout's largest delay Node would fire at once: a 'never' backoff would reload in a loop.
    const huge = await rejection(createDiagnostics({ recovery: { maxDelayMs: 1e12 } }));
    expect(huge.message).toMatch(/option recovery\.maxDelayMs: .*2147483647/);
    const version = await rejection(createDiagnostics({ app: { name: 'Codex' } } as never));
    expect(version.message).toContain('option app.version');
  });

  it('words each problem as it always has, one per option, misspelt keys by name', () => {
    const message = (input: unknown) => {
      try {
        parseDiagnosticsOptions(input);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(DiagError);
        expect((error as DiagError).code).toBe('BAD_USAGE');
        return (error as DiagError).message.replace(/^createDiagnostics: /, '');
      }
    };
    const cases: Array<[unknown, string]> = [
      [undefined, 'accepted'],
      [null, 'accepted'],
      [{ log: false, budget: false, env: { HOME: '/h', UNSET: undefined }, recovery: {} }, 'accepted'],
      ['x', 'option (options): Invalid input: expected object, received string'],
      [[], 'option (options): Invalid input: expected object, received array'],
      [{ recovery: { maxReloads: 1.5 } }, 'option recovery.maxReloads: Invalid input: expected int, received number'],
      [{ recovery: { maxReloads: Number.NaN } }, 'option recovery.maxReloads: Invalid input: expected number, received NaN'],
      [{ recovery: { jitter: Number.POSITIVE_INFINITY } }, 'option recovery.jitter: Invalid input: expected number, received Infinity'],
      [{ recovery: { windowMs: 0 } }, 'option recovery.windowMs: Too small: expected number to be >0'],
      [{ bundle: { lines: 2 ** 60 } }, 'option bundle.lines: Too big: expected int to be <=9007199254740991'],
      [{ app: { name: '', version: '1' } }, 'option app.name: Too small: expected string to have >=1 characters'],
      [{ app: null }, 'option app: Invalid input: expected object, received null'],
      [{ capture: { ignoreKinds: ['nope'] } }, 'option capture.ignoreKinds.0: Invalid option: expected one of "render-process-gone"|"unresponsive"|"did-fail-load"|"child-process-gone"|"sidecar-exit"'],
      [{ recovery: { skipReasons: [1, 'a', 2] } }, 'option recovery.skipReasons.0: Invalid input: expected string, received number; option recovery.skipReasons.2: Invalid input: expected string, received number'],
      [{ log: true }, 'option log: Invalid input'],
      [{ log: { size: 0 } }, 'option log.size: Too small: expected number to be >0'],
      [{ log: { lvel: 'info' } }, 'unknown option log.lvel'],
      [{ budget: { sampling: { kinds: { a: 2 } } } }, 'option budget.sampling.kinds.a: Too big: expected number to be <=1'],
      [{ env: { A: 1 } }, 'option env.A: Invalid input: expected string, received number'],
      [{ env: 'x' }, 'option env: Invalid input: expected record, received string'],
      [{ clock: {} }, 'option clock: expected a Clock {now, setTimeout, clearTimeout}'],
      [{ a: 1, b: 2, closeTimeoutMs: 0 }, 'option closeTimeoutMs: Too small: expected number to be >0; unknown option a, b'],
    ];
    for (const [input, expected] of cases) expect(message(input), JSON.stringify(input)).toBe(expected);
  });

  it('returns a copy of the data, and the edges as given', () => {
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };
    const input = { recovery: { skipReasons: ['clean-exit'] }, env: { A: 'a' }, clock };
    const parsed = parseDiagnosticsOptions(input);
    input.recovery.skipReasons.push('oom');
    input.env.A = 'b';
    expect(parsed.recovery?.skipReasons).toEqual(['clean-exit']);
    expect(parsed.env).toEqual({ A: 'a' });
    expect(parsed.clock).toBe(clock);
  });

  it('refuses a malformed dsn option, but only disables upload for a malformed DSN from the environment', async () => {
    const bad = await rejection(createDiagnostics({ dsn: 'not a dsn', log: false, dataDir: root, logDir: root }));
    expect(bad.code).toBe('BAD_DSN');
    const diag = await createDiagnostics({ log: false, dataDir: path.join(root, 'd'), logDir: root, env: { SENTRY_DSN: 'nonsense' } });
    const outcome = await diag.recordIncident({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 1, signal: null });
    expect(outcome).toMatchObject({ status: 'recorded', queued: false });
    expect(diag.faults.byArea.upload).toBe(1);
    await diag.close();
  });
});

describe('createDiagnostics with its own log and a real sidecar', () => {
  it('writes its log through pino-roll, reports sidecar events and exits as incidents, and closes within budget', async () => {
    const logDir = path.join(root, 'logs');
    const diag = await createDiagnostics({ logDir, dataDir: path.join(root, 'data'), env: {}, bundle: { enabled: false } });
    const sidecar: SidecarEvent[] = [];
    const incidents: IncidentEvent[] = [];
    diag.on('sidecar', (e) => sidecar.push(e));
    diag.on('incident', (i) => incidents.push(i));
    diag.startSidecar({ command: process.execPath, args: ['-e', 'console.log("serving"); process.exit(3)'], restart: { maxRestarts: 0 } });
    await waitFor(() => incidents.length === 1, 'the sidecar-exit incident', 10_000);
    expect(incidents[0]!.incident).toMatchObject({ kind: 'sidecar-exit', exitCode: 3 });
    expect(sidecar.map((e) => e.type)).toContain('start');
    expect(sidecar.map((e) => e.type)).toContain('exit');
    diag.metrics.record('thread/start', 120, true);
    expect(diag.metrics.report().methods['thread/start']?.count).toBe(1);
    // Completed: everything was flushed before the budget ran out (by close's own clock).
    const closed = await diag.close({ timeoutMs: 3_000 });
    expect(closed.completed).toBe(true);
    expect(readdirSync(logDir).some((f) => /^codex-diag\..*\d+\.log$/.test(f))).toBe(true);
  });
});
