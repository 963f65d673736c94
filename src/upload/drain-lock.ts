import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { DiagError, errnoCode, oneLine } from '../errors.js';
import { tempPathFor } from '../fs/atomic-write.js';
import { pidIsAlive } from '../pid-alive.js';

export interface DrainLockOptions {
  clock: Clock;
  /** A lock whose heartbeat is older than this is stale even when its pid lives (default 10 min). */
  staleMs?: number;
  /** Whether a pid is alive; injectable so tests can model a dead owner. */
  isAlive?: (pid: number) => boolean;
}

export interface DrainLock {
  readonly path: string;
  /**
   * Rewrites the heartbeat so a long drain is not taken for stale. False when the lock is no
   * longer this holder's (a hung drain was taken over): the holder must stop sending.
   */
  refresh(): Promise<boolean>;
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  token: string;
  acquiredAt: number;
  heartbeatAt: number;
}

export const DRAIN_LOCK_NAME = '.drain.lock';

/**
 * One process drains an outbox at a time. The lock is a file holding the owner's pid and a
 * heartbeat; a lock whose pid is dead, or whose heartbeat is older than `staleMs`, is taken over.
 * It comes into being complete: the content is written to a temp file and hard-linked into place
 * (link fails if the lock exists, like O_EXCL), and a heartbeat replaces it by rename. So a live
 * holder's lock is never empty or half-written, and one that is (a crash, a full disk while an
 * older version wrote it) is stale at once instead of blocking uploads.
 * Hand-written (proper-lockfile is not a dependency): the takeover renames the stale file aside
 * first, so of two processes racing for one stale lock only one wins the rename.
 * Returns null when another live process holds the lock.
 */
export async function acquireDrainLock(dir: string, options: DrainLockOptions): Promise<DrainLock | null> {
  const lockPath = path.join(dir, DRAIN_LOCK_NAME);
  const staleMs = options.staleMs ?? 10 * 60 * 1000;
  const isAlive = options.isAlive ?? pidIsAlive;
  const token = randomBytes(8).toString('hex');
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = options.clock.now();
    const content: LockContent = { pid: process.pid, token, acquiredAt: now, heartbeatAt: now };
    if (await createComplete(lockPath, content)) return makeLock(lockPath, content, options.clock);
    const holder = await readLock(lockPath);
    if (holder === 'missing') continue;
    // A heartbeat far in the future (the clock was set back since) would otherwise never go stale.
    const stale = holder === 'unreadable' || !isAlive(holder.pid) || Math.abs(now - holder.heartbeatAt) > staleMs;
    if (!stale) return null;
    // Rename aside, then check we moved the stale file and not a fresh lock someone just took.
    const aside = `${lockPath}.stale-${process.pid}-${token}`;
    try {
      await fsp.rename(lockPath, aside);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      throw error;
    }
    const moved = await readLock(aside);
    const sameAsJudged = holder === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.token === holder.token;
    if (!sameAsJudged) {
      // We took someone's fresh lock: put it back if the place is still free, and let them drain.
      await fsp.link(aside, lockPath).catch(() => undefined);
      await fsp.rm(aside, { force: true });
      return null;
    }
    await fsp.rm(aside, { force: true });
  }
  return null;
}

function makeLock(lockPath: string, content: LockContent, clock: Clock): DrainLock {
  let released = false;
  return {
    path: lockPath,
    async refresh() {
      if (released) return false;
      const current = await readLock(lockPath);
      if (typeof current !== 'object' || current.token !== content.token) return false;
      content.heartbeatAt = clock.now();
      // Replaced by rename, never rewritten in place: a reader never sees it empty.
      const tmp = await writeTemp(lockPath, content);
      try {
        await fsp.rename(tmp, lockPath);
      } catch (error) {
        await fsp.rm(tmp, { force: true });
        throw error;
      }
      return true;
    },
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(lockPath);
      // Only remove our own lock: after a takeover the file may be another process's.
      if (typeof current === 'object' && current.token === content.token) await fsp.rm(lockPath, { force: true });
    },
  };
}

async function readLock(lockPath: string): Promise<LockContent | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await fsp.readFile(lockPath, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'missing';
    throw new DiagError('IO', `cannot read the drain lock ${lockPath}: ${oneLine(error)} (expected a small JSON file; remove it if no codex-diag is uploading)`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string' && typeof parsed.heartbeatAt === 'number') {
      return parsed as LockContent;
    }
  } catch {
    // Empty or torn: a lock is linked into place complete, so this one's writer crashed or ran out of disk.
  }
  return 'unreadable';
}

/**
 * Puts a complete lock file in place: written and synced under a temp name, then hard-linked to the
 * lock's name, which fails with EEXIST when a lock is there. False when one is.
 */
async function createComplete(lockPath: string, content: LockContent): Promise<boolean> {
  const tmp = await writeTemp(lockPath, content);
  try {
    await fsp.link(tmp, lockPath);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createInPlace(lockPath, content);
    throw error;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/** For a file system without hard links: O_EXCL create, then write (removed again if the write fails). */
async function createInPlace(lockPath: string, content: LockContent): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(content));
    await handle.sync();
    await handle.close();
    return true;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(lockPath, { force: true });
    throw error;
  }
}

/** The lock's content in a synced temp file beside it (`.drain.lock.<pid>.<hex>.tmp`). Removed on failure. */
async function writeTemp(lockPath: string, content: LockContent): Promise<string> {
  const tmp = tempPathFor(lockPath);
  try {
    const handle = await fsp.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(content));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  } catch (error) {
    // A full disk leaves nothing behind: no empty lock for the next upload to trip over.
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}
