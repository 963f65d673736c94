import { watch as fsWatch, promises as fsp } from 'node:fs';
import path from 'node:path';

/** A running watch; close() is idempotent. */
export interface Watch {
  close(): void;
}

/**
 * Starts watching a path; `onEvent` gets fs.watch's event type and the name inside a watched dir (or
 * null), `onFailed` is called once if the watch dies later (the path was removed, a platform error).
 * Returns null when the path cannot be watched (missing, out of inotify watches): the follower's poll
 * covers what is not watched.
 */
export type WatchPath = (
  target: string,
  onEvent: (eventType: string, name: string | null) => void,
  onFailed: () => void,
) => Watch | null;

export const nodeWatchPath: WatchPath = (target, onEvent, onFailed) => {
  try {
    // persistent: false, so a library follower never holds its host process open.
    const watcher = fsWatch(target, { persistent: false }, (eventType, name) => onEvent(eventType, name === null ? null : String(name)));
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      watcher.close();
    };
    watcher.on('error', () => {
      close();
      onFailed();
    });
    return { close };
  } catch {
    return null;
  }
};

/**
 * The watches on a set of directories, kept in step with the dirs a listing names: new ones are
 * watched, vanished ones let go. Each remembers its mtime, so the safety poll can tell, with one stat
 * per dir, whether a listing is due (an entry was added, removed or renamed) without listing.
 */
export class DirWatches {
  private readonly dirs = new Map<string, { watch: Watch | null; mtimeMs: number | null }>();

  constructor(
    private readonly watchPath: WatchPath | null,
    private readonly onDirEvent: (dir: string, eventType: string, name: string | null) => void,
  ) {}

  /** Watches `dirs` and only them; true when a dir is newly watched (files made before that were not seen). */
  sync(dirs: readonly string[]): boolean {
    const wanted = new Set(dirs);
    for (const [dir, state] of this.dirs) {
      if (!wanted.has(dir)) {
        state.watch?.close();
        this.dirs.delete(dir);
      }
    }
    let added = false;
    for (const dir of wanted) {
      const state = this.dirs.get(dir);
      if (state && (state.watch || !this.watchPath)) continue;
      const watch = this.start(dir);
      this.dirs.set(dir, { watch, mtimeMs: state?.mtimeMs ?? null });
      if (watch) added = true;
    }
    return added;
  }

  /** True when every dir has a live watch (the safety poll can then be slow and need not list). */
  get allWatched(): boolean {
    if (!this.watchPath || this.dirs.size === 0) return false;
    for (const state of this.dirs.values()) if (!state.watch) return false;
    return true;
  }

  /**
   * Stats every dir and records its mtime; true when one changed since the last call, was never
   * stat'ed, or cannot be stat'ed (a listing is due).
   */
  async changedSinceLastLook(stat: (dir: string) => Promise<number>): Promise<boolean> {
    let changed = false;
    for (const [dir, state] of this.dirs) {
      let mtimeMs: number | null;
      try {
        mtimeMs = await stat(dir);
      } catch {
        mtimeMs = null;
      }
      if (mtimeMs === null || mtimeMs !== state.mtimeMs) changed = true;
      state.mtimeMs = mtimeMs;
    }
    return changed;
  }

  closeAll(): void {
    for (const state of this.dirs.values()) state.watch?.close();
    this.dirs.clear();
  }

  private start(dir: string): Watch | null {
    if (!this.watchPath) return null;
    const watch = this.watchPath(
      dir,
      (eventType, name) => this.onDirEvent(dir, eventType, name),
      () => {
        const state = this.dirs.get(dir);
        if (state) state.watch = null;
        // A dir removed or unwatchable: a listing tells what is left.
        this.onDirEvent(dir, 'rename', null);
      },
    );
    return watch;
  }
}

/**
 * The nearest existing ancestor of a missing dir, watched so the follower learns when the dir (or a
 * dir on the way to it) is made, instead of polling for it.
 */
export function watchNearestAncestor(dir: string, watchPath: WatchPath, onEvent: () => void, exists: (p: string) => boolean): Watch | null {
  let current = path.dirname(dir);
  while (!exists(current)) {
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
  return watchPath(current, onEvent, onEvent);
}

/**
 * Whether the log dir was missing at the last listing and, while it is, the watch on its nearest
 * existing ancestor.
 */
export class MissingDirWatch {
  private watch: Watch | null = null;
  private missing = false;

  constructor(
    private readonly dir: string,
    private readonly watchPath: WatchPath | null,
    private readonly onEvent: () => void,
    private readonly exists: (p: string) => boolean,
  ) {}

  get isMissing(): boolean {
    return this.missing;
  }

  set(missing: boolean): void {
    if (missing === this.missing && (!missing || this.watch)) return;
    this.missing = missing;
    this.watch?.close();
    this.watch = null;
    if (missing && this.watchPath) this.watch = watchNearestAncestor(this.dir, this.watchPath, this.onEvent, this.exists);
  }

  close(): void {
    this.watch?.close();
  }
}

/** A dir's mtime (what DirWatches compares). */
export async function statMtime(dir: string): Promise<number> {
  return (await fsp.stat(dir)).mtimeMs;
}

/** A `*.log` file or a dated subdir (`YYYY`, `MM`, `DD`): the names a listing can pick up. */
export function mayMatterToListing(name: string): boolean {
  return name.endsWith('.log') || /^\d{2}(?:\d{2})?$/.test(name);
}
