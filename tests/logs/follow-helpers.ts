import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { followLogs, type FollowLogsOptions } from '../../src/logs/follow.js';
import { nodeFollowFileSystem, type FollowFileSystem } from '../../src/logs/follow-file.js';
import type { TailLine } from '../../src/logs/types.js';
import type { ManualClock } from '../helpers/manual-clock.js';
import { waitFor } from '../helpers/wait-for.js';
import { repoRoot } from './helpers.js';

/** The file probes are written to; its lines are left out of `texts()`. */
export const PROBE_FILE = 'zz-probe.log';

/**
 * Starts a follower collecting lines. Counts what it does (opens, bytes read, catch-ups) so a test can
 * wait for a step to be done instead of sleeping.
 */
export function startFollowing(logDir: string, extra: Partial<FollowLogsOptions> = {}) {
  const controller = new AbortController();
  const lines: TailLine[] = [];
  const errors: unknown[] = [];
  const counts = { opens: 0, bytesRead: 0, caughtUp: 0, live: false, liveFiles: -1, bytesBeforeLive: -1, opensBeforeLive: -1 };
  const fileSystem: FollowFileSystem = {
    open: async (p) => {
      counts.opens++;
      const handle = await nodeFollowFileSystem.open(p);
      return {
        read: async (buffer, offset, length, position) => {
          const result = await handle.read(buffer, offset, length, position);
          counts.bytesRead += result.bytesRead;
          return result;
        },
        stat: () => handle.stat(),
        close: () => handle.close(),
      };
    },
  };
  const done = followLogs({
    logDir,
    signal: controller.signal,
    onLine: (line) => lines.push(line),
    onError: (error) => errors.push(error),
    fileSystem,
    onLive: ({ files }) => {
      counts.live = true;
      counts.liveFiles = files;
      counts.bytesBeforeLive = counts.bytesRead;
      counts.opensBeforeLive = counts.opens;
    },
    onCaughtUp: () => counts.caughtUp++,
    ...extra,
  });
  let probes = 0;
  const texts = () => lines.filter((l) => l.source !== PROBE_FILE).map((l) => l.text);
  return {
    controller,
    lines,
    errors,
    done,
    counts,
    texts,
    /** Live, and done with what going live leaves for after it (adopting the files present at start). */
    live: () => waitFor(() => counts.live && counts.caughtUp > 0, 'the follower to go live', 10_000),
    /**
     * Writes a line to the probe file and waits until it is emitted: the follower handles events in
     * order, so everything written before the probe has been read by then.
     */
    async settle(dir = logDir): Promise<void> {
      const text = `probe ${++probes}`;
      appendFileSync(path.join(dir, PROBE_FILE), `${text}\n`);
      await waitFor(() => lines.some((l) => l.text === text), `the follower to read ${text}`, 10_000);
    },
    async stop(): Promise<void> {
      controller.abort();
      await done;
    },
  };
}

export type Following = ReturnType<typeof startFollowing>;

/** Moves the fake clock by `ms` (firing polls and idle timers) and waits until the follower has caught up. */
export async function advanceAndCatchUp(f: Following, clock: ManualClock, ms: number): Promise<void> {
  const seen = f.counts.caughtUp;
  clock.advance(ms);
  await waitFor(() => f.counts.caughtUp > seen, 'the follower to catch up', 10_000);
}

const cliMain = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** The built CLI running `tail -f` in a child process, its output collected. */
export function startTailProcess(logDir: string, args: string[]) {
  const child = spawn(process.execPath, [cliMain, 'tail', '-f', '--log-dir', logDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (err += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () => out.split('\n').slice(0, -1);
  let probes = 0;
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    lines,
    /** Lines other than probes. */
    texts: () => lines().filter((l) => !l.includes('probe ')),
    /** Appends probe lines (one per try, so a probe written before the follower was live does not hang the wait) until one is printed. */
    async settle(level = ''): Promise<void> {
      const first = probes + 1;
      await waitFor(
        () => {
          appendFileSync(path.join(logDir, PROBE_FILE), `${level}probe ${++probes}\n`);
          for (let n = first; n < probes; n++) if (out.includes(`probe ${n}\n`) || out.includes(`probe ${n}"`)) return true;
          return false;
        },
        'the tail process to print a probe',
        20_000,
        25,
      );
    },
    async stop(): Promise<number | null> {
      child.kill('SIGINT');
      return exited;
    },
  };
}
