import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagError } from '../../src/errors.js';
import { Incident } from '../../src/incidents/schema.js';
import { isProcessAlive, parseProcStat } from '../../src/runtime/process-tree.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { fixture, killQuietly, recordingSupervisor, waitAllDead } from '../fixtures/sidecar/harness.js';
import { waitFor } from '../helpers/wait-for.js';

const node = process.execPath;
const spawned = new Set<number>();
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  killQuietly(spawned);
  spawned.clear();
});

function track(pids: Iterable<number>): void {
  for (const pid of pids) spawned.add(pid);
}

describe('SidecarSupervisor restarts', () => {
  it('reports a crash as exit event + incident, restarts with exponential backoff, pauses past the bound, resumes', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0 });
    const script = fixture('crash.mjs');
    const handle = h.supervisor.start({
      command: node,
      args: [script, '101'],
      restart: { maxRestarts: 2, baseDelayMs: 100, maxDelayMs: 1000, windowMs: 60_000, stableAfterMs: 10_000 },
    });
    stops.push(() => handle.stop());

    const firstStart = await h.nth('start', 1);
    track([firstStart.pid]);
    expect(firstStart.attempt).toBe(0);
    const firstRestart = await h.nth('restart', 1);
    expect(firstRestart).toMatchObject({ attempt: 1, delayMs: 100, pid: firstStart.pid });
    const exit = h.ofType('exit')[0]!;
    expect(exit).toMatchObject({ pid: firstStart.pid, exitCode: 101, signal: null, expected: false, reason: 'abnormal-exit' });
    expect(h.incidents[0]).toMatchObject({
      kind: 'sidecar-exit',
      command: `${node} ${script} 101`,
      exitCode: 101,
      signal: null,
      pid: firstStart.pid,
      occurredAt: new Date(clock.now()).toISOString(),
      reason: 'abnormal-exit',
    });
    expect(h.incidents[0]!.restartsPaused).toBeUndefined();
    expect(Incident.safeParse(h.incidents[0]).success).toBe(true);
    // Nothing restarts before the backoff delay has passed on the clock.
    expect(clock.pendingDelays()).toEqual([100]);
    expect(h.ofType('start')).toHaveLength(1);
    expect(handle.state).toBe('backoff');
    expect(handle.pid).toBeUndefined();

    clock.advance(100);
    const second = await h.nth('start', 2);
    track([second.pid]);
    expect(second.pid).not.toBe(firstStart.pid);
    expect(second.attempt).toBe(1);
    expect(await h.nth('restart', 2)).toMatchObject({ attempt: 2, delayMs: 200 });
    expect(clock.pendingDelays()).toEqual([200]);

    clock.advance(200);
    track([(await h.nth('start', 3)).pid]);
    const paused = await h.nth('paused', 1);
    expect(paused).toMatchObject({ exitCode: 101, restartsInWindow: 2, windowMs: 60_000 });
    expect(h.incidents).toHaveLength(3);
    expect(h.incidents[2]).toMatchObject({ kind: 'sidecar-exit', restartsPaused: true, restartsInWindow: 2 });
    expect(handle.state).toBe('paused');
    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(60_000);
    expect(h.ofType('start')).toHaveLength(3);

    // The served lines and the crash message reached the log, from both streams.
    await h.line('stderr', (t) => t === 'fatal: simulated crash');
    expect(h.lines.filter((l) => l.pid === firstStart.pid && l.stream === 'stdout').map((l) => l.text)).toEqual([
      'served request 1',
      'served request 2',
      'served request 3',
    ]);

    // resume() starts afresh: the next crash is attempt 1 again, with the base delay.
    expect(handle.resume()).toBe(true);
    expect(handle.resume()).toBe(false);
    track([(await h.nth('start', 4)).pid]);
    expect(await h.nth('restart', 3)).toMatchObject({ attempt: 1, delayMs: 100 });
    await handle.stop();
    expect(handle.state).toBe('stopped');
    expect(clock.pendingDelays()).toEqual([]);
    expect(h.errors).toEqual([]);
  });

  it('applies jitter within [d/2, d] and caps the delay at maxDelayMs', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0.999 });
    const handle = h.supervisor.start({
      command: node,
      args: [fixture('crash.mjs'), '3'],
      restart: { maxRestarts: 10, baseDelayMs: 400, maxDelayMs: 1000 },
    });
    stops.push(() => handle.stop());
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      track([(await h.nth('start', n)).pid]);
      const restart = await h.nth('restart', n);
      delays.push(restart.delayMs);
      clock.advance(restart.delayMs);
    }
    // 400, 800, then 1600 capped to 1000; random 0.999 takes almost half off each.
    expect(delays).toEqual([Math.round(400 * (1 - 0.5 * 0.999)), Math.round(800 * (1 - 0.5 * 0.999)), Math.round(1000 * (1 - 0.5 * 0.999))]);
  });

  it('a stable run resets the restart count; quick crashes after it still pause', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0 });
    const handle = h.supervisor.start({
      command: node,
      args: [fixture('controlled.mjs')],
      restart: { maxRestarts: 1, baseDelayMs: 50, maxDelayMs: 1000, windowMs: 60_000, stableAfterMs: 5_000 },
    });
    stops.push(() => handle.stop());
    const exitWith = async (n: number, code: number): Promise<void> => {
      const start = await h.nth('start', n);
      track([start.pid]);
      await h.line('stdout', (t) => t === `ready ${start.pid}`);
      handle.child!.stdin!.write(`exit ${code}\n`);
    };

    await exitWith(1, 3);
    expect(await h.nth('restart', 1)).toMatchObject({ attempt: 1, delayMs: 50 });
    clock.advance(50);

    // This run lasts past stableAfterMs (on the clock), so its crash is attempt 1 again, not a pause.
    const second = await h.nth('start', 2);
    clock.advance(5_000);
    await exitWith(2, 4);
    expect(await h.nth('restart', 2)).toMatchObject({ attempt: 1, delayMs: 50 });
    expect(h.ofType('exit')[1]).toMatchObject({ pid: second.pid, exitCode: 4, uptimeMs: 5_000 });
    clock.advance(50);

    // A quick crash right after uses up the single restart allowed: paused.
    await exitWith(3, 5);
    expect(await h.nth('paused', 1)).toMatchObject({ exitCode: 5, restartsInWindow: 1 });
    expect(h.ofType('restart')).toHaveLength(2);
  });

  it('a restart count older than windowMs no longer counts', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0 });
    const handle = h.supervisor.start({
      command: node,
      args: [fixture('controlled.mjs')],
      restart: { maxRestarts: 1, baseDelayMs: 10, windowMs: 1_000, stableAfterMs: 1_000_000 },
    });
    stops.push(() => handle.stop());
    for (let n = 1; n <= 2; n++) {
      const start = await h.nth('start', n);
      track([start.pid]);
      await h.line('stdout', (t) => t === `ready ${start.pid}`);
      handle.child!.stdin!.write('exit 9\n');
      expect(await h.nth('restart', n)).toMatchObject({ attempt: 1 });
      clock.advance(1_000); // the previous restart leaves the window
    }
    expect(h.ofType('paused')).toHaveLength(0);
  });
});

describe('SidecarSupervisor output', () => {
  it('passes stdout and stderr lines in order: split characters, a cut long line, CRLF, a partial last line', async () => {
    const h = recordingSupervisor({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
    const handle = h.supervisor.start({ command: node, args: [fixture('output.mjs'), '2000'], restart: { maxRestarts: 0 } });
    stops.push(() => handle.stop());
    track([(await h.nth('start', 1)).pid]);
    await h.line('stdout', (t) => t === 'partial last line');
    await h.line('stderr', (t) => t === 'err 99');
    const out = h.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    const expected = Array.from({ length: 2000 }, (_, i) => `out ${i} é€😀`);
    expect(out.slice(0, 2000)).toEqual(expected);
    expect(out[2000]).toBe('split € here');
    const big = out[2001]!;
    expect(big.startsWith('big xxx')).toBe(true);
    expect(big).toMatch(/ \[\.\.\. line cut: \d+ more bytes\]$/);
    const cutBytes = Number(/cut: (\d+) more/.exec(big)![1]);
    expect(Buffer.byteLength(big.slice(0, big.indexOf(' [... line cut'))) + cutBytes).toBe(4 + 200 * 1024);
    expect(out.slice(2002)).toEqual(['partial last line']);
    expect(h.lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(Array.from({ length: 100 }, (_, i) => `err ${i}`));
    // A sidecar that exits on its own (even with 0) is unexpected: incident, reason clean-exit.
    await h.nth('paused', 1);
    expect(h.incidents[0]).toMatchObject({ kind: 'sidecar-exit', exitCode: 0, reason: 'clean-exit' });
  });
});

describe('SidecarSupervisor protocol stdout', () => {
  it('leaves stdout to the host when logStreams omits it (JSON-RPC over stdio)', async () => {
    const h = recordingSupervisor({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
    const handle = h.supervisor.start({ command: node, args: [fixture('controlled.mjs')], logStreams: ['stderr'] });
    stops.push(() => handle.stop());
    const start = await h.nth('start', 1);
    track([start.pid]);
    let received = '';
    handle.child!.stdout!.on('data', (chunk: Buffer) => (received += chunk.toString()));
    handle.child!.stdin!.write('say {"jsonrpc":"2.0","id":1}\n');
    await waitFor(() => received.includes('{"jsonrpc":"2.0","id":1}\n'), 'the reply on stdout');
    expect(received.startsWith(`ready ${start.pid}\n`)).toBe(true);
    expect(h.lines).toEqual([]);
  });
});

describe('SidecarSupervisor launch failures', () => {
  it('a missing command is an exit with a clear reason and an incident, never a throw', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0 });
    const handle = h.supervisor.start({
      command: 'codex-diag-no-such-command',
      args: ['app-server'],
      restart: { maxRestarts: 1, baseDelayMs: 10 },
    });
    stops.push(() => handle.stop());
    const exit = await h.nth('exit', 1);
    expect(exit).toMatchObject({ pid: null, exitCode: null, signal: null, reason: 'launch-failed', expected: false });
    expect(exit.error).toMatch(/ENOENT.*command not found.*codex-diag-no-such-command app-server/);
    expect(h.incidents[0]).toMatchObject({
      kind: 'sidecar-exit',
      command: 'codex-diag-no-such-command app-server',
      reason: 'launch-failed',
    });
    // The incident schema takes a pid only as a number: none is better than null.
    expect(h.incidents[0]).not.toHaveProperty('pid');
    expect(Incident.safeParse(h.incidents[0]).success).toBe(true);
    expect(await h.nth('restart', 1)).toMatchObject({ attempt: 1, delayMs: 10 });
    clock.advance(10);
    await h.nth('paused', 1);
    expect(h.ofType('start')).toHaveLength(0);
    expect(h.errors).toEqual([]);
    await handle.stop();
  });

  it('rejects a second start while running, and an empty command, with typed errors', async () => {
    const h = recordingSupervisor({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)) });
    expect(() => h.supervisor.start({ command: '' })).toThrow(DiagError);
    const handle = h.supervisor.start({ command: node, args: [fixture('controlled.mjs')] });
    stops.push(() => handle.stop());
    track([(await h.nth('start', 1)).pid]);
    expect(() => h.supervisor.start({ command: node })).toThrow(/already running/);
  });

  it('a throwing callback is reported to onError and supervision goes on', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const errors: unknown[] = [];
    const h = recordingSupervisor({
      clock,
      onError: (e) => errors.push(e),
      onIncident: () => {
        throw new Error('host handler failed');
      },
    });
    const handle = h.supervisor.start({ command: node, args: [fixture('crash.mjs'), '2'], restart: { baseDelayMs: 5 } });
    stops.push(() => handle.stop());
    track([(await h.nth('start', 1)).pid]);
    await h.nth('restart', 1);
    expect(errors.map(String)).toEqual(['Error: host handler failed']);
  });
});

describe('SidecarSupervisor stop', () => {
  async function startTree(ignoreTerm: boolean, signal?: AbortSignal) {
    const h = recordingSupervisor({ killGraceMs: 300 });
    const handle = h.supervisor.start({
      command: node,
      args: [fixture('tree.mjs'), ...(ignoreTerm ? ['ignore-term'] : [])],
      ...(signal ? { signal } : {}),
    });
    stops.push(() => handle.stop());
    const start = await h.nth('start', 1);
    track([start.pid]);
    await h.line('stdout', (t) => t.startsWith('all '));
    const pids = h.lines.filter((l) => l.stream === 'stdout' && l.text.startsWith('pid ')).map((l) => Number(l.text.slice(4)));
    track(pids);
    expect(pids).toHaveLength(6);
    expect(pids).toContain(start.pid);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(true);
    return { h, handle, pids };
  }

  it.each([
    ['a child that exits on SIGTERM', false],
    ['a child that ignores SIGTERM', true],
  ])('stop() on %s kills every descendant, including ones that ignore SIGTERM or left the group', async (_name, ignoreTerm) => {
    const { h, handle, pids } = await startTree(ignoreTerm);
    await handle.stop();
    expect(await waitAllDead(pids)).toEqual([]);
    expect(h.ofType('exit')).toMatchObject([{ expected: true }]);
    expect(h.incidents).toEqual([]);
    expect(h.ofType('restart')).toEqual([]);
    expect(handle.state).toBe('stopped');
    await handle.stop(); // idempotent
  });

  it('aborting the start signal stops the whole tree', async () => {
    const controller = new AbortController();
    const { h, handle, pids } = await startTree(false, controller.signal);
    controller.abort();
    await waitFor(() => handle.state === 'stopped', 'state stopped');
    expect(await waitAllDead(pids)).toEqual([]);
    expect(h.incidents).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('an unexpected exit kills what is left of the process group before the restart', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, killGraceMs: 200 });
    const handle = h.supervisor.start({ command: node, args: [fixture('tree.mjs')], restart: { baseDelayMs: 10 } });
    stops.push(() => handle.stop());
    const start = await h.nth('start', 1);
    await h.line('stdout', (t) => t.startsWith('all '));
    const pids = h.lines.filter((l) => l.text.startsWith('pid ')).map((l) => Number(l.text.slice(4)));
    track(pids);
    // Escapers are the detached sleeper and its child: once their parent is gone they belong to init.
    const inGroup = pids.filter((pid) => pgidOf(pid) === start.pid);
    expect(inGroup).toHaveLength(4);
    handle.child!.stdin!.write('exit 7\n');
    await h.nth('restart', 1);
    expect(await waitAllDead(inGroup)).toEqual([]);
  });
});

function pgidOf(pid: number): number | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.pgid;
  } catch {
    return undefined;
  }
}

describe('SidecarSupervisor host exit', () => {
  it('kills the whole tree when the host process exits without stopping it', async () => {
    const { spawn } = await import('node:child_process');
    const host = spawn(node, [fixture('host.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    host.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => host.once('exit', resolve));
    await waitFor(() => host.stdout!.readableEnded, 'host stdout to end');
    const pids = [...out.matchAll(/^pid (\d+)$/gm)].map((m) => Number(m[1]));
    track(pids);
    expect(code).toBe(0);
    expect(pids).toHaveLength(6);
    expect(await waitAllDead(pids)).toEqual([]);
  });
});

describe('SidecarSupervisor under a flood of output', () => {
  it('logs at most its budget, counts every other line, and says how many were not logged', { timeout: 30_000 }, async () => {
    const h = recordingSupervisor({ clock: new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0)), logBudget: { bytesPerSecond: 1, burstBytes: 64 * 1024 } });
    const total = 50_000; // 5 MB
    const handle = h.supervisor.start({ command: node, args: [fixture('flood.mjs'), String(total)], restart: { maxRestarts: 0 } });
    stops.push(() => handle.stop());
    await h.nth('paused', 1, 20_000);
    const marker = await h.line('stdout', (t) => t.startsWith('[codex-diag: '));
    const logged = h.lines.filter((l) => l.text.startsWith('flood '));
    // The clock stands still: only the burst is logged (99 characters a line).
    expect(logged.length).toBe(Math.floor((64 * 1024) / 99));
    expect(logged.map((l) => l.text.split(' ')[1])).toEqual(logged.map((_, i) => String(i)));
    const dropped = Number(/^\[codex-diag: (\d+) sidecar output lines/.exec(marker.text)![1]);
    expect(logged.length + dropped).toBe(total);
    expect(h.incidents[0]).toMatchObject({ reason: 'clean-exit' });
  });

  it('stop({graceMs}) shortens the wait before SIGKILL for a child that ignores SIGTERM', async () => {
    // A default grace far past the test's timeout: only the shorter graceMs lets stop() finish at all.
    const h = recordingSupervisor({ killGraceMs: 10 * 60_000 });
    const handle = h.supervisor.start({ command: node, args: [fixture('sleeper.mjs'), 'ignore-term'] });
    stops.push(() => handle.stop());
    const pid = (await h.line('stdout', (t) => t.startsWith('pid '))).text.slice(4);
    track([Number(pid)]);
    await h.supervisor.stop({ graceMs: 100 });
    expect(h.ofType('exit')).toMatchObject([{ expected: true, signal: 'SIGKILL' }]);
  });
});

describe('SidecarSupervisor stop() racing a restart', () => {
  it.each([
    ['before the restart timer fires', false],
    ['after it fired, while the crashed run is being cleaned up', true],
  ])('starts nothing once stop() was called %s', async (_when, timerFired) => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
    const h = recordingSupervisor({ clock, random: () => 0 });
    const handle = h.supervisor.start({ command: node, args: [fixture('crash.mjs'), '101'], restart: { baseDelayMs: 100 } });
    stops.push(() => handle.stop());
    track([(await h.nth('start', 1)).pid]);
    await h.nth('restart', 1);
    if (timerFired) clock.advance(100);
    await handle.stop();
    clock.advance(60_000);
    // Let any launch that was already on its way run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.ofType('start')).toHaveLength(1);
    expect(handle.state).toBe('stopped');
    expect(handle.pid).toBeUndefined();
    expect(clock.pendingDelays()).toEqual([]);
  });
});
