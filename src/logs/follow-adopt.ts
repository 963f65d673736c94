import { completeLinesEnd, type FollowedFile } from './follow-file.js';

/**
 * Files present at start that may still grow, waiting to be adopted: opened, watched, and started at
 * the end of their complete lines (one 4 KiB read at the end, 256 bytes at the start). The follower
 * goes live once the dir is listed, without waiting for this: until a file is adopted its read point
 * is its size in the listing (a line written after the listing is never missed), and a file is adopted
 * before anything is read from it (the initial lines, a write to it), the rest right after going live.
 */
export class PendingAdoptions {
  /** The size each file had in the listing, by file. */
  private readonly waiting = new Map<FollowedFile, number>();
  private readonly inFlight = new Map<FollowedFile, Promise<void>>();

  constructor(
    private readonly maxLineBytes: number,
    private readonly on: {
      /** Open and watch the file (it may still grow). */
      open: (file: FollowedFile) => Promise<void>;
      /** It ends with an unfinished line, now to be read and held. */
      unread: (file: FollowedFile) => void;
      error: (error: unknown) => void;
    },
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  add(file: FollowedFile, listedSize: number): void {
    this.waiting.set(file, listedSize);
  }

  drop(file: FollowedFile): void {
    this.waiting.delete(file);
  }

  clear(): void {
    this.waiting.clear();
  }

  /** Adopts `file` now if it is waiting; resolves once it is adopted (at once when it was not waiting). */
  adopt(file: FollowedFile): Promise<void> {
    const running = this.inFlight.get(file);
    if (running) return running;
    const size = this.waiting.get(file);
    if (size === undefined) return Promise.resolve();
    this.waiting.delete(file);
    const adoption = this.run(file, size).finally(() => this.inFlight.delete(file));
    this.inFlight.set(file, adoption);
    return adoption;
  }

  /** Adopts every waiting file, `concurrency` at a time. */
  async adoptAll(concurrency: number): Promise<void> {
    while (this.waiting.size > 0) await Promise.all([...this.waiting.keys()].slice(0, concurrency).map((file) => this.adopt(file)));
  }

  private async run(file: FollowedFile, size: number): Promise<void> {
    try {
      await this.on.open(file);
      if (!file.handle) return;
      const { end, check, head } = await completeLinesEnd(file.handle, size, this.maxLineBytes);
      file.startAt(end, check, head);
      if (end < size) this.on.unread(file);
    } catch (error) {
      this.on.error(error);
    }
  }
}
