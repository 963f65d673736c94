import type { FollowedFile, FollowFileSystem } from './follow-file.js';
import type { Watch, WatchPath } from './follow-watch.js';

/** Files kept open (and watched) at once; more than that are opened only when they change. */
export const MAX_OPEN_FILES = 256;

/**
 * The followed files held open, each with a watch on the file itself: its inode, so writes are still
 * heard after it is renamed or deleted. Only files that may still grow are held, within MAX_OPEN_FILES.
 */
export class OpenFiles {
  private readonly watches = new Map<FollowedFile, Watch>();
  private readonly opened = new Set<FollowedFile>();

  constructor(
    private readonly fileSystem: FollowFileSystem,
    private readonly watchPath: WatchPath | null,
    private readonly on: {
      /** The file was written (or renamed, deleted): read it. */
      changed: (file: FollowedFile) => void;
      /** Its path names another file now, or none: a listing is due. */
      renamed: () => void;
      error: (error: unknown) => void;
    },
  ) {}

  /** Holds a file that may still grow open; lets go of one that will not. */
  async keep(file: FollowedFile, mayGrow: boolean): Promise<void> {
    if (mayGrow && !file.handle && this.opened.size < MAX_OPEN_FILES) await this.open(file);
    else if (!mayGrow && file.handle) await this.close(file);
  }

  async open(file: FollowedFile): Promise<boolean> {
    try {
      if (!(await file.open(this.fileSystem))) {
        this.on.renamed();
        return false;
      }
    } catch (error) {
      this.on.error(error);
      return false;
    }
    this.opened.add(file);
    if (this.watchPath && !this.watches.has(file)) {
      const watch = this.watchPath(
        file.path,
        () => this.on.changed(file),
        () => this.watches.delete(file),
      );
      if (watch) this.watches.set(file, watch);
    }
    return true;
  }

  async close(file: FollowedFile): Promise<void> {
    this.watches.get(file)?.close();
    this.watches.delete(file);
    this.opened.delete(file);
    await file.close();
  }
}
