import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { collectTree, isProcessAlive, killProcessTree, parseProcStat, type ProcessInfo } from '../../src/runtime/process-tree.js';
import { fixture, killQuietly, waitAllDead } from '../fixtures/sidecar/harness.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { settle, track } from '../helpers/settle.js';
import { waitFor } from '../helpers/wait-for.js';

const spawned = new Set<number>();
afterEach(() => {
  killQuietly(spawned);
  spawned.clear();
});

/** Starts tree.mjs as a group leader and resolves with every pid it reports (itself + 5 descendants). */
async function startTree(args: string[] = []): Promise<{ child: ChildProcess; pids: number[] }> {
  const child = spawn(process.execPath, [fixture('tree.mjs'), ...args], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  const pids: number[] = [];
  let all = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('pid ')) pids.push(Number(line.slice(4)));
    if (line.startsWith('all ')) all = true;
  });
  await waitFor(() => all, 'the tree to report its pids');
  for (const pid of pids) spawned.add(pid);
  return { child, pids };
}

describe('killProcessTree', () => {
  it('terminates a tree politely when it obeys SIGTERM (no SIGKILL needed for the group)', async () => {
    const child = spawn(process.execPath, [fixture('sleeper.mjs'), 'spawn'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const pids: number[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => pids.push(Number(line.slice(4))));
    await waitFor(() => pids.length === 2, 'two sleepers');
    pids.forEach((pid) => spawned.add(pid));
    const result = await killProcessTree(child.pid!, { graceMs: 5000 });
    expect(result.forced).toBe(false);
    expect(result.survivors).toEqual([]);
    expect(await waitAllDead(pids)).toEqual([]);
  });

  it('SIGKILLs after the grace period what ignores SIGTERM, including setsid escapers (Linux /proc walk)', async () => {
    const { child, pids } = await startTree(['ignore-term']);
    // The grace period runs on the injected clock, so the test decides when it is over.
    const clock = new ManualClock();
    const killing = track(killProcessTree(child.pid!, { graceMs: 300, pollMs: 20, confirmMs: 10 * 60_000, clock }));
    for (let t = 0; t < 280; t += 20) {
      await settle();
      clock.advance(20);
    }
    await settle();
    expect(killing.settled).toBe(false);
    expect(pids.some((pid) => isProcessAlive(pid))).toBe(true); // what ignores SIGTERM is still there: no SIGKILL yet
    // Past the grace period: SIGKILL, then the clock keeps moving while the tree goes.
    await waitFor(async () => {
      clock.advance(20);
      await settle();
      return killing.settled;
    }, 'the kill to finish');
    const result = await killing.promise;
    expect(result.forced).toBe(true);
    expect(result.survivors).toEqual([]);
    if (process.platform === 'linux') expect([...result.pids].sort()).toEqual([...pids].sort());
    expect(await waitAllDead(pids)).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('without the /proc walk (as on macOS) only the process group is reached: the documented limit', async () => {
    const { child, pids } = await startTree();
    const result = await killProcessTree(child.pid!, { graceMs: 200, platform: 'darwin' });
    expect(result.survivors).toEqual([]);
    const left = pids.filter((pid) => isProcessAlive(pid));
    // The detached (setsid) sleeper and its child left the group and survive a group-only kill.
    expect(left).toHaveLength(2);
    killQuietly(left);
    expect(await waitAllDead(left)).toEqual([]);
  });

  it('resolves quietly for a pid that no longer exists', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const result = await killProcessTree(child.pid!, { graceMs: 50 });
    expect(result.survivors).toEqual([]);
  });
});

describe('process table parsing', () => {
  it('reads /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const info = parseProcStat('4242 (my (weird) name) S 17 4242 4242 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1000 10');
    expect(info).toEqual({ pid: 4242, ppid: 17, pgid: 4242, state: 'S', startTime: '987654' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('collects the group and descendants by parent pid, skipping zombies and strangers', () => {
    const row = (pid: number, ppid: number, pgid: number, state = 'S'): [number, ProcessInfo] => [pid, { pid, ppid, pgid, state, startTime: '1' }];
    const table = new Map([
      row(100, 1, 100), // root, group leader
      row(101, 100, 100), // child in the group
      row(102, 101, 102), // grandchild that called setsid
      row(103, 102, 102), // its child
      row(104, 100, 100, 'Z'), // zombie child
      row(105, 1, 100), // group member re-parented to init
      row(200, 1, 200), // unrelated
    ]);
    expect([...collectTree(table, 100).keys()].sort()).toEqual([100, 101, 102, 103, 105]);
  });
});
