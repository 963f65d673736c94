import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStateReadOnly } from '../../src/state/read-only.js';
import { decodeState } from '../../src/state/decode.js';
import { migrateStateFile } from '../../src/state/migrate-file.js';
import type { State } from '../../src/state/schemas.js';
import { fixturesDir, listDir, repoRoot } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Large enough that a write takes a while, so kills land in the middle of writes too. */
const PADDING = 'p'.repeat(64 * 1024);

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** The invariants every save of save-loop.mjs keeps: a torn or mixed file breaks at least one. */
function expectConsistent(state: State): void {
  const n = state.app_server.restart_count;
  expect(state.app_server.last_restart_at).toBe(n);
  expect(state.app_server.last_disconnect_reason).toBe(`round ${n}`);
  expect(state.renderer.last_heartbeat_at).toBe(n);
  const incidents = Object.values(state.incidents).reduce((sum, counter) => sum + counter.count, 0);
  expect(incidents).toBe(n);
  expect(state['padding']).toBe(PADDING);
}

describe('crash consistency (real processes, SIGKILL)', () => {
  it('a process saving in a loop, killed at random moments, always leaves a complete old or new state', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, JSON.stringify({ version: 4, padding: PADDING }));
    const script = path.join(fixturesDir, 'save-loop.mjs');
    let acknowledged = 0;
    const rounds = 30;
    for (let round = 0; round < rounds; round++) {
      const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
      // Kill after a random number of acknowledged saves (at least one), at whatever point of
      // the next write the child has reached by then.
      const killAfter = 1 + Math.floor(Math.random() * 4);
      let seen = 0;
      let lastSaved = 0;
      child.stdout?.on('data', (chunk: Buffer) => {
        for (const match of String(chunk).matchAll(/saved (\d+)/g)) {
          seen++;
          lastSaved = Number(match[1]);
          if (seen === killAfter) child.kill('SIGKILL');
        }
      });
      await exited(child);
      expect(child.signalCode, `round ${round}: child ended on its own: ${stderr}`).toBe('SIGKILL');
      expect(stderr).toBe('');

      const { state } = await loadStateReadOnly(file);
      expectConsistent(state);
      // An acknowledged save is on disk: the state never goes back.
      expect(state.app_server.restart_count).toBeGreaterThanOrEqual(lastSaved);
      expect(state.app_server.restart_count).toBeGreaterThanOrEqual(acknowledged);
      acknowledged = state.app_server.restart_count;

      const bak = decodeState(await fsp.readFile(`${file}.bak`), `${file}.bak`).state;
      if (bak.app_server.restart_count > 0) expectConsistent(bak);
      // Only the file, its backup, and temp files of the child just killed: the next start
      // removes those of dead writers, so they never pile up.
      for (const name of await listDir(dir)) {
        expect(name).toMatch(new RegExp(`^(state\\.json|state\\.json\\.bak|\\.state\\.json(\\.bak)?\\.${child.pid}\\.[0-9a-f]+\\.tmp)$`));
      }
    }
    expect(acknowledged).toBeGreaterThanOrEqual(rounds);
  }, 60_000);

  it('kill -9 during `codex-diag state migrate` never tears the file', async () => {
    const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
    const v1 = JSON.parse(await fsp.readFile(path.join(fixturesDir, 'v1.json'), 'utf8'));
    const original = Buffer.from(JSON.stringify({ ...v1, padding: PADDING }));
    const expected = decodeState(original, 'expected').state;
    const triggers = ['temp-file', 'backup', 'polls'] as const;
    let landedMidway = 0;
    for (let round = 0; round < 10; round++) {
      const dir = await tempDir();
      const file = path.join(dir, 'state.json');
      await fsp.writeFile(file, original);
      const child = spawn(process.execPath, [cli, 'state', 'migrate', '--state', file], { stdio: 'ignore' });
      const trigger = triggers[round % triggers.length];
      const pollsBeforeKill = Math.floor(Math.random() * 100);
      let polls = 0;
      // Poll the directory and kill when the chosen phase shows (or the child has finished).
      await waitFor(async () => {
        if (child.exitCode !== null) return true;
        const names = await listDir(dir);
        polls++;
        const hit =
          (trigger === 'temp-file' && names.some((n) => n.endsWith('.tmp'))) ||
          (trigger === 'backup' && names.includes('state.json.bak')) ||
          (trigger === 'polls' && polls >= pollsBeforeKill);
        if (!hit) return undefined;
        child.kill('SIGKILL');
        return true;
      }, 'the chosen phase or the exit', 20_000, 2);
      await exited(child);
      if (child.signalCode === 'SIGKILL') landedMidway++;

      const bytes = await fsp.readFile(file);
      if (bytes.equals(original)) {
        // Killed before the rename: the v1 file is intact.
      } else {
        expect(decodeState(bytes, file)).toEqual({ state: expected, from: 4 });
      }
      const names = await listDir(dir);
      if (names.includes('state.json.bak')) expect(await fsp.readFile(`${file}.bak`)).toEqual(original);

      // Running it again finishes the job with every value kept.
      await migrateStateFile(file);
      expect((await loadStateReadOnly(file)).state).toEqual(expected);
    }
    expect(landedMidway).toBeGreaterThan(0);
  }, 60_000);
});
