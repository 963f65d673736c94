import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics/index.js';
import { HostExitGuard, type HostExitEmitter } from '../../src/runtime/sidecar-host-exit-guard.js';
import type { SidecarEvent, SidecarHandle } from '../../src/runtime/sidecar-types.js';
import { fixture, killQuietly, recordingSupervisor, waitAllDead } from '../fixtures/sidecar/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const node = process.execPath;
const SIDECARS = 12;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An `exit` emitter that only counts listeners and can fire them, so no real host has to exit. */
class FakeHost implements HostExitEmitter {
  readonly listeners = new Set<() => void>();
  on(_event: 'exit', listener: () => void): void {
    this.listeners.add(listener);
  }
  off(_event: 'exit', listener: () => void): void {
    this.listeners.delete(listener);
  }
  exit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Records MaxListenersExceededWarning emitted while the returned function has not been called. */
function watchListenerWarnings(): { warnings: Error[]; stop: () => void } {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning);
  };
  process.on('warning', onWarning);
  return { warnings, stop: () => process.off('warning', onWarning) };
}

/** Node emits the warning on a later tick: let those run before looking. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HostExitGuard', () => {
  it('holds one listener while any tree is tracked, kills every tracked tree on exit, and removes the listener at zero', () => {
    const host = new FakeHost();
    const killed: Array<[number, NodeJS.Platform]> = [];
    const guard = new HostExitGuard({
      host,
      killTreeSync: (pid, platform) => {
        killed.push([pid, platform]);
        if (pid === 2) throw new Error('kill failed');
      },
    });
    expect(host.listeners.size).toBe(0);
    const releases = [1, 2, 3].map((pid) => guard.track(pid, 'linux'));
    expect(host.listeners.size).toBe(1);
    expect(guard.size).toBe(3);
    expect(guard.isListening).toBe(true);

    host.exit();
    // A throwing kill does not stop the others.
    expect(killed).toEqual([
      [1, 'linux'],
      [2, 'linux'],
      [3, 'linux'],
    ]);

    releases[1]!();
    releases[1]!(); // idempotent: must not release someone else's entry
    expect(guard.size).toBe(2);
    expect(host.listeners.size).toBe(1);
    releases[0]!();
    releases[2]!();
    expect(guard.size).toBe(0);
    expect(host.listeners.size).toBe(0);
    expect(guard.isListening).toBe(false);

    // Tracking again after going idle registers the listener again.
    const again = guard.track(4, 'linux');
    expect(host.listeners.size).toBe(1);
    killed.length = 0;
    host.exit();
    expect(killed).toEqual([[4, 'linux']]);
    again();
    expect(host.listeners.size).toBe(0);
  });

  it(`${SIDECARS} sidecars through one Diagnostics service add at most one exit listener, none after they stop, and no MaxListenersExceededWarning`, { timeout: 30_000 }, async () => {
    const root = makeTempDir('codex-diag-exit-guard-').dir;
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const watch = watchListenerWarnings();
    cleanups.push(watch.stop);
    const before = process.listenerCount('exit');

    const diag = await createDiagnostics({ logDir: path.join(root, 'logs'), dataDir: path.join(root, 'data'), log: false, env: {}, bundle: { enabled: false } });
    cleanups.push(() => diag.close());
    const starts: Extract<SidecarEvent, { type: 'start' }>[] = [];
    diag.on('sidecar', (event) => {
      if (event.type === 'start') starts.push(event);
    });
    const handles: SidecarHandle[] = [];
    for (let i = 0; i < SIDECARS; i++) handles.push(diag.startSidecar({ command: node, args: [fixture('sleeper.mjs')] }));
    const pids = handles.map((h) => h.pid!);
    cleanups.push(() => killQuietly(pids));
    // The guard tracks a sidecar from its `spawn` event on.
    await waitFor(() => starts.length === SIDECARS || undefined, 'every sidecar to start');
    await settle();
    expect(process.listenerCount('exit')).toBeLessThanOrEqual(before + 1);
    expect(process.listenerCount('exit')).toBeGreaterThan(before); // the guard is armed while they run

    await Promise.all(handles.map((h) => h.stop()));
    await settle();
    expect(process.listenerCount('exit')).toBe(before);
    expect(await waitAllDead(pids)).toEqual([]);
    expect(watch.warnings).toEqual([]);
    await diag.close();
  });

  it(`${SIDECARS} standalone supervisors sharing one guard register one listener; without a shared guard each has its own`, { timeout: 30_000 }, async () => {
    const watch = watchListenerWarnings();
    cleanups.push(watch.stop);
    const before = process.listenerCount('exit');
    const guard = new HostExitGuard();
    const harnesses = Array.from({ length: SIDECARS }, () => recordingSupervisor({ hostExitGuard: guard }));
    const handles = harnesses.map((h) => h.supervisor.start({ command: node, args: [fixture('sleeper.mjs')] }));
    const pids = handles.map((h) => h.pid!);
    cleanups.push(() => killQuietly(pids));
    cleanups.push(() => Promise.all(handles.map((h) => h.stop())));
    await Promise.all(harnesses.map((h) => h.nth('start', 1)));
    await settle();
    expect(guard.size).toBe(SIDECARS);
    expect(process.listenerCount('exit')).toBe(before + 1);

    await Promise.all(handles.map((h) => h.stop()));
    expect(guard.size).toBe(0);
    expect(process.listenerCount('exit')).toBe(before);
    expect(watch.warnings).toEqual([]);

    // A standalone supervisor without a guard still protects its own tree.
    const lone = recordingSupervisor();
    const loneHandle = lone.supervisor.start({ command: node, args: [fixture('sleeper.mjs')] });
    cleanups.push(() => loneHandle.stop());
    await lone.nth('start', 1);
    expect(process.listenerCount('exit')).toBe(before + 1);
    await loneHandle.stop();
    expect(process.listenerCount('exit')).toBe(before);
  });
});
