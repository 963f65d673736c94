/**
 * Kills a whole process tree: the child, its process group and (on Linux) every descendant found
 * through /proc, first gently (SIGTERM), then for sure (SIGKILL) after a grace period.
 *
 * Why both a group and a /proc walk: a POSIX child spawned with `detached: true` leads its own
 * process group, so one `kill(-pid)` reaches every grandchild that stays in the group. A grandchild
 * that calls setsid() (or is spawned `detached` itself) leaves the group; on Linux we still find it
 * through its parent pid, as long as its parent is alive when we look. Limit (documented): a process
 * that left the group AND whose parent already exited has been re-parented to init (or a subreaper)
 * and cannot be attributed to us any more; on macOS and the BSDs (no /proc) only the group is reached.
 * On Windows, `taskkill /PID <pid> /T /F` walks the tree by parent pid.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { systemClock, type Clock } from '../clock.js';
import { pidIsAlive } from '../pid-alive.js';

export interface KillProcessTreeOptions {
  /** How long the tree gets to exit after the first signal before SIGKILL. Default 2000 ms. */
  graceMs?: number;
  /** The first, polite signal. Default SIGTERM. Pass SIGKILL to skip the grace period. */
  signal?: NodeJS.Signals;
  /** How long to wait for confirmation after SIGKILL. Default 2000 ms. */
  confirmMs?: number;
  /** Poll interval while waiting. Default 20 ms. */
  pollMs?: number;
  clock?: Clock;
  platform?: NodeJS.Platform;
  /**
   * The root already exited and was reaped (a crashed sidecar's leftovers): only its process group is
   * targeted, never the root pid itself, which the system may since have given to another process.
   */
  rootExited?: boolean;
  /** Root of the proc file system (Linux); injectable for tests. Default `/proc`. */
  procRoot?: string;
}

export interface KillProcessTreeResult {
  /** Every pid the kill was aimed at (the root, group members and descendants seen). */
  pids: number[];
  /** True when something was still alive after the grace period and got SIGKILL. */
  forced: boolean;
  /** Pids still alive when we gave up (empty on success). */
  survivors: number[];
}

/** One row of the process table, as read from /proc/<pid>/stat. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Single-letter state; Z (zombie) and X (dead) count as gone. */
  state: string;
  /** Start time in clock ticks since boot: tells a reused pid from the one we saw. */
  startTime: string;
}

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (open < 0 || close < 0) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTime = rest[19];
  if (!Number.isInteger(pid) || state === undefined || startTime === undefined) return undefined;
  return { pid, ppid, pgid, state, startTime };
}

/** Reads the whole process table from /proc; undefined when there is no /proc (not Linux). */
export function readProcessTable(procRoot = '/proc'): Map<number, ProcessInfo> | undefined {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcessInfo>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const info = parseProcStat(readFileSync(`${procRoot}/${name}/stat`, 'utf8'));
      if (info) table.set(info.pid, info);
    } catch {
      // The process exited between readdir and read: nothing to kill.
    }
  }
  return table;
}

function isGone(info: ProcessInfo | undefined): boolean {
  return info === undefined || info.state === 'Z' || info.state === 'X';
}

/**
 * Whether a process is alive. A zombie (exited, not yet reaped by its parent) counts as dead:
 * `kill(pid, 0)` succeeds on zombies, so on Linux we look at its state too.
 */
export function isProcessAlive(pid: number, procRoot = '/proc', platform: NodeJS.Platform = process.platform): boolean {
  if (!pidIsAlive(pid)) return false;
  if (platform !== 'linux') return true;
  try {
    const info = parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
    return !isGone(info);
  } catch {
    return false;
  }
}

/**
 * The live members of the tree rooted at `rootPid`: the root, members of its process group, and
 * every descendant (by parent pid) of any of those, transitively.
 */
export function collectTree(
  table: Map<number, ProcessInfo>,
  rootPid: number,
  known: Iterable<number> = [],
  includeRoot = true,
): Map<number, ProcessInfo> {
  const members = new Map<number, ProcessInfo>();
  const queue: number[] = [];
  const add = (info: ProcessInfo | undefined): void => {
    if (!info || isGone(info) || members.has(info.pid)) return;
    members.set(info.pid, info);
    queue.push(info.pid);
  };
  if (includeRoot) add(table.get(rootPid));
  for (const pid of known) add(table.get(pid));
  for (const info of table.values()) if (info.pgid === rootPid) add(info);
  const childrenOf = new Map<number, ProcessInfo[]>();
  for (const info of table.values()) {
    const list = childrenOf.get(info.ppid);
    if (list) list.push(info);
    else childrenOf.set(info.ppid, [info]);
  }
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of childrenOf.get(pid) ?? []) add(child);
  }
  return members;
}

function sendSignal(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours to kill. Either way nothing more to do here.
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Kills the process tree rooted at `pid` and resolves once nothing of it is alive (or the
 * confirmation time ran out: then `survivors` lists what is left). Never rejects.
 */
export async function killProcessTree(pid: number, options: KillProcessTreeOptions = {}): Promise<KillProcessTreeResult> {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return killWindowsTree(pid);
  return killPosixTree(pid, options, platform);
}

async function killPosixTree(rootPid: number, options: KillProcessTreeOptions, platform: NodeJS.Platform): Promise<KillProcessTreeResult> {
  const clock = options.clock ?? systemClock;
  const graceMs = options.graceMs ?? 2000;
  const confirmMs = options.confirmMs ?? 2000;
  const pollMs = options.pollMs ?? 20;
  const firstSignal = options.signal ?? 'SIGTERM';
  const procRoot = options.procRoot ?? '/proc';
  const useProc = platform === 'linux';

  // pid -> start time when first seen, so a pid reused by an unrelated process is never signalled.
  const includeRoot = options.rootExited !== true;
  const tracked = new Map<number, string | undefined>(includeRoot ? [[rootPid, undefined]] : []);
  const signalled = new Set<number>();

  const refresh = (): Map<number, ProcessInfo> | undefined => {
    const table = useProc ? readProcessTable(procRoot) : undefined;
    if (!table) return undefined;
    for (const info of collectTree(table, rootPid, tracked.keys(), includeRoot).values()) {
      const seen = tracked.get(info.pid);
      if (seen === undefined) tracked.set(info.pid, info.startTime);
    }
    return table;
  };

  const liveTargets = (table: Map<number, ProcessInfo> | undefined): number[] => {
    if (!table) {
      // No /proc: the group (or the lone root) is all we can see.
      const groupAlive = pidIsAlive(-rootPid) || (includeRoot && isProcessAlive(rootPid, procRoot, platform));
      return groupAlive ? [rootPid] : [];
    }
    const live: number[] = [];
    for (const [pid, startTime] of tracked) {
      const info = table.get(pid);
      if (isGone(info)) continue;
      if (startTime !== undefined && info?.startTime !== startTime) continue; // pid reused
      live.push(pid);
    }
    // Group members born after our last walk are found by the next refresh; meanwhile the group
    // signal reaches them.
    return live;
  };

  const signalAll = (signal: NodeJS.Signals, table: Map<number, ProcessInfo> | undefined, onlyNew: boolean): void => {
    if (!onlyNew) sendSignal(-rootPid, signal);
    for (const pid of liveTargets(table)) {
      if (onlyNew && signalled.has(pid)) continue;
      if (pid === rootPid && !includeRoot) continue; // the group signal above covers it
      signalled.add(pid);
      sendSignal(pid, signal);
    }
  };

  let table = refresh();
  signalAll(firstSignal, table, false);
  let forced = firstSignal === 'SIGKILL';

  const waitUntilGone = async (budgetMs: number, signalNew: NodeJS.Signals): Promise<number[]> => {
    const deadline = clock.now() + budgetMs;
    for (;;) {
      table = refresh();
      // Escapers discovered late get the same signal as everyone else.
      signalAll(signalNew, table, true);
      const live = liveTargets(table);
      if (live.length === 0) return [];
      if (clock.now() >= deadline) return live;
      await sleep(clock, pollMs);
    }
  };

  let live = forced ? await waitUntilGone(confirmMs, 'SIGKILL') : await waitUntilGone(graceMs, firstSignal);
  if (live.length > 0 && !forced) {
    forced = true;
    signalled.clear();
    signalAll('SIGKILL', table, false);
    live = await waitUntilGone(confirmMs, 'SIGKILL');
  }
  return { pids: [...tracked.keys()], forced, survivors: live };
}


function killWindowsTree(pid: number): Promise<KillProcessTreeResult> {
  return new Promise((resolve) => {
    // /T walks the tree by parent pid, /F forces: Windows has no SIGTERM to offer a grace period with.
    const child = spawn('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    const done = (): void => {
      const alive = pidIsAlive(pid);
      resolve({ pids: [pid], forced: true, survivors: alive ? [pid] : [] });
    };
    child.once('error', done);
    child.once('exit', done);
  });
}

/**
 * Synchronous last-resort kill for the host's `exit` event (no event loop left to wait on):
 * SIGKILL to the group and the root on POSIX, `taskkill` synchronously on Windows.
 */
export function killProcessTreeSync(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') {
    try {
      spawnSync('taskkill', ['/PID', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true, timeout: 2000 });
    } catch {
      // Nothing more we can do while the host exits.
    }
    return;
  }
  const table = platform === 'linux' ? readProcessTable() : undefined;
  const members = table ? [...collectTree(table, pid).keys()] : [];
  sendSignal(-pid, 'SIGKILL');
  for (const member of members) sendSignal(member, 'SIGKILL');
  sendSignal(pid, 'SIGKILL');
}

