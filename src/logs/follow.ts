import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { isDiagError } from '../errors.js';
import { reportSafely, safeCall } from '../safe-call.js';
import { discoverLogTree, type LogFile, type LogTree } from './discover.js';
import { recogniseCopy, TruncatedFiles, type CopySource } from './follow-copies.js';
import { PendingAdoptions } from './follow-adopt.js';
import { FollowedFile, nodeFollowFileSystem, writerOf, type DrainOutcome, type FollowedFileEvents, type FollowFileSystem, type ReadPoint } from './follow-file.js';
import { IdleTimers } from './follow-idle.js';
import { OpenFiles } from './follow-open-files.js';
import { DirWatches, mayMatterToListing, MissingDirWatch, nodeWatchPath, statMtime, type WatchPath } from './follow-watch.js';
import { DEFAULT_PARTIAL_LINE_IDLE_MS, DEFAULT_POLL_MS, DEFAULT_SAFETY_POLL_MS, timerDelay, type FollowLogsOptions } from './follow-options.js';
import { DEFAULT_MAX_LINE_BYTES } from './line-cut.js';
import { readLastLines } from './read-last-lines.js';
import type { TailLine } from './types.js';

export { DEFAULT_PARTIAL_LINE_IDLE_MS, DEFAULT_POLL_MS, DEFAULT_SAFETY_POLL_MS, type FollowLogsOptions };

const READ_BLOCK = 64 * 1024;
/** Files adopted at once at start. */
const ADOPT_CONCURRENCY = 16;
/** Read points kept for files that left the listing. */
const MAX_REMEMBERED = 1024;

/**
 * Follows a log dir like `tail -F`, driven by fs.watch on the dir, its dated subdirs and the open
 * files, with a slow safety poll behind it. Files are followed by identity (device + inode): a rename
 * rotation never repeats a line, a deleted or renamed-away file is read to its end through its open
 * handle, a truncated file is read again from its start (and a copy of it made by copytruncate is
 * read from where it stood, not again), and a dir that is missing or empty at start is waited for.
 * A line written in several writes is emitted once, whole.
 */
export async function followLogs(options: FollowLogsOptions): Promise<void> {
  await new Follower(options).run();
}

class Follower {
  private readonly files = new Map<string, FollowedFile>(); // by identity
  /** Where reading stopped in files that left the listing while still linked, by identity. */
  private readonly left = new Map<string, ReadPoint>();
  /** Where reading stood in files seen truncated, for a copy of one seen after (copytruncate). */
  private readonly truncated = new TruncatedFiles();
  private readonly fileEvents: FollowedFileEvents;
  private byPath = new Map<string, FollowedFile>();
  private readonly openFiles: OpenFiles;
  private readonly adoptions: PendingAdoptions;
  private readonly idleTimers: IdleTimers;
  private readonly dirs: DirWatches;
  private readonly missingDir: MissingDirWatch;
  // Work asked for by events, timers and the poll; one worker runs it in order.
  private listingDue = false;
  private readonly drainDue = new Set<FollowedFile>();
  private readonly idleDue = new Set<FollowedFile>();
  private working: Promise<void> | null = null;
  private live = false;
  private stopped = false;
  private pollTimer: unknown = null;
  private readonly clock: Clock;
  private readonly fileSystem: FollowFileSystem;
  private readonly watchPath: WatchPath | null;
  private readonly maxLineBytes: number;
  private readonly buffer = new Uint8Array(READ_BLOCK);

  constructor(private readonly options: FollowLogsOptions) {
    this.clock = options.clock ?? systemClock;
    this.fileSystem = options.fileSystem ?? nodeFollowFileSystem;
    this.watchPath = options.watch === false ? null : (options.watchPath ?? nodeWatchPath);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.idleTimers = new IdleTimers(this.clock, timerDelay(options.partialLineIdleMs ?? DEFAULT_PARTIAL_LINE_IDLE_MS), (file) => {
      this.idleDue.add(file);
      this.kick();
    });
    this.openFiles = new OpenFiles(this.fileSystem, this.watchPath, {
      changed: (file) => {
        this.drainDue.add(file);
        this.kick();
      },
      renamed: () => {
        this.listingDue = true;
      },
      error: (error) => this.report(error),
    });
    this.dirs = new DirWatches(this.watchPath, (dir, eventType, name) => this.onDirEvent(dir, eventType, name));
    const onAncestorEvent = () => {
      this.listingDue = true;
      this.kick();
    };
    this.missingDir = new MissingDirWatch(options.logDir, this.watchPath, onAncestorEvent, existsSync);
    this.adoptions = new PendingAdoptions(this.maxLineBytes, {
      open: (file) => this.openFiles.keep(file, true),
      unread: (file) => this.drainDue.add(file),
      error: (error) => this.report(error),
    });
    this.fileEvents = {
      line: (source, text) => this.emit({ source, text }),
      truncated: (before) => this.truncated.add(before),
      recognise: (prefix) => recogniseCopy(prefix, this.copySources()),
    };
  }

  private get aborted(): boolean {
    return this.options.signal.aborted;
  }

  async run(): Promise<void> {
    if (this.aborted) return;
    // Watch before listing, so a file made meanwhile is seen.
    this.dirs.sync([this.options.logDir]);
    const files = await this.start();
    await new Promise<void>((resolve) => {
      const stop = () => void this.stop().then(resolve);
      if (this.aborted) return stop();
      this.options.signal.addEventListener('abort', stop, { once: true });
      this.live = true;
      safeCall(this.options.onLive, this.options.onError, { files });
      this.schedulePoll();
      this.kick();
    });
  }

  /** Lists the dir, records where each file's new lines begin and emits the initial lines. */
  private async start(): Promise<number> {
    const files = await this.list(true);
    const wanted = this.options.initialLines ?? 0;
    if (wanted > 0 && files.length > 0) {
      try {
        const { lines } = await readLastLines({
          logDir: this.options.logDir,
          count: wanted,
          files,
          // A file is adopted before its lines are read, so its unfinished last line is left for later.
          sizeOf: async (listing) => {
            const file = this.files.get(listing.identity);
            if (!file) return listing.size;
            await this.adoptions.adopt(file);
            return file.offset;
          },
          maxLineBytes: this.maxLineBytes,
          ...(this.options.accept ? { accept: this.options.accept } : {}),
        });
        for (const line of lines) safeCall(this.options.onLine, this.options.onError, line);
      } catch (error) {
        this.report(error);
      }
    }
    return files.length;
  }

  private async stop(): Promise<void> {
    this.clock.clearTimeout(this.pollTimer);
    this.adoptions.clear();
    this.dirs.closeAll();
    this.missingDir.close();
    // No line is emitted after the promise settles: wait for the work in flight.
    await this.working;
    for (const file of [...this.files.values()]) {
      // At exit an unfinished line is shown as it is (tail -f shows it too).
      file.flushPartialLine();
      await this.forget(file);
    }
    this.stopped = true;
  }

  private onDirEvent(dir: string, eventType: string, name: string | null): void {
    // A write to a known file needs only that file read; anything else (a file made, renamed or
    // removed, a new dated subdir) needs a listing.
    if (name !== null && !mayMatterToListing(name)) return; // another app's file in the dir: not ours to read
    const known = eventType === 'change' && name !== null ? this.byPath.get(path.join(dir, name)) : undefined;
    if (known) this.drainDue.add(known);
    else this.listingDue = true;
    this.kick();
  }

  /** One worker at a time; what is asked meanwhile is done in the same run. */
  private kick(): void {
    if (!this.live || this.working || this.aborted) return;
    this.working = this.work().finally(() => {
      this.working = null;
      if (this.listingDue || this.drainDue.size > 0 || this.idleDue.size > 0) this.kick();
    });
  }

  private async work(): Promise<void> {
    try {
      while (!this.aborted) {
        if (this.adoptions.size > 0) {
          await this.adoptions.adoptAll(ADOPT_CONCURRENCY);
        } else if (this.listingDue) {
          this.listingDue = false;
          await this.list(false);
        } else if (this.drainDue.size > 0) {
          const file = this.drainDue.values().next().value!;
          this.drainDue.delete(file);
          await this.drain(file);
        } else if (this.idleDue.size > 0) {
          const file = this.idleDue.values().next().value!;
          this.idleDue.delete(file);
          await this.flushIfIdle(file);
        } else {
          break;
        }
      }
    } catch (error) {
      this.report(error);
    }
    if (!this.aborted) safeCall(this.options.onCaughtUp, this.options.onError);
  }

  /**
   * Lists the dir and brings the followed files in step: a known identity under a new name is a
   * rename (its offset kept), an identity no longer listed was deleted or moved away (read to its
   * end through its handle, then let go), a new identity is read from its start (at start: from its
   * end). Returns the listing.
   */
  private async list(atStart: boolean): Promise<LogFile[]> {
    // Each dir's mtime, taken before listing it: the safety poll compares against it.
    await this.dirs.changedSinceLastLook(statMtime);
    let tree: LogTree;
    try {
      tree = await (this.options.discover ?? discoverLogTree)(this.options.logDir);
      this.missingDir.set(false);
    } catch (error) {
      if (!(isDiagError(error) && error.code === 'NOT_FOUND')) {
        this.report(error);
        return [];
      }
      // A missing dir is a dir with no logs yet (or one removed): what was followed is gone.
      this.missingDir.set(true);
      tree = { files: [], dirs: [] };
    }
    if (this.dirs.sync(this.missingDir.isMissing ? [] : [this.options.logDir, ...tree.dirs]) && !atStart) this.listingDue = true;
    if (atStart && tree.dirs.length > 0) this.listingDue = true; // subdirs were watched after the listing

    const listed = new Set(tree.files.map((f) => f.identity));
    for (const file of [...this.files.values()]) {
      if (listed.has(file.identity)) continue;
      this.adoptions.drop(file);
      // Still linked somewhere: moved away, or a listing racing a rename missed it. Should it show up
      // again, reading resumes where it stopped instead of from the start.
      let outcome = await this.drainFile(file);
      if (outcome === 'truncated') outcome = await this.drainFile(file); // what it holds since, before letting go
      if (outcome !== 'gone') this.remember(file);
      file.flushPartialLine();
      await this.forget(file);
    }
    const newestOfWriter = new Map(tree.files.map((f) => [writerOf(f), f]));
    this.byPath = new Map();
    // Files already followed first: their unread bytes were written before a file never seen yet
    // (the new file of a rotation) was made.
    const mayGrow = (listing: LogFile) => newestOfWriter.get(writerOf(listing)) === listing;
    if (atStart) {
      for (const listing of tree.files) {
        if (this.files.has(listing.identity)) continue; // listed twice (under its old and new name, a listing racing a rename)
        const file = this.track(listing, { offset: listing.size, check: null, mtimeMs: listing.mtimeMs });
        // Opened and started at the end of its complete lines later: going live waits for none of it.
        if (mayGrow(listing)) this.adoptions.add(file, listing.size);
      }
    }
    const known = tree.files.filter((f) => this.files.has(f.identity));
    const copies: LogFile[] = [];
    const made: LogFile[] = [];
    for (const listing of tree.files) {
      if (this.aborted || this.files.has(listing.identity)) continue;
      const file = this.track(listing, this.left.get(listing.identity), true);
      // Open before reading: a file deleted right after its first lines are read keeps its later ones.
      await this.openFiles.keep(file, mayGrow(listing));
      (await this.isCopy(file) ? copies : made).push(listing);
    }
    const fresh = new Set([...copies, ...made]);
    // A copy (copytruncate) holds lines written before its source was truncated and written again.
    for (const listing of [...copies, ...known, ...made]) {
      if (this.aborted) break;
      const file = this.files.get(listing.identity);
      if (!file) continue;
      let rotatedAway = !mayGrow(listing);
      if (fresh.has(listing)) {
        await this.drain(file);
      } else if (!atStart) {
        await this.adoptions.adopt(file);
        if (file.path !== listing.path) {
          file.moveTo(listing);
          rotatedAway = true;
        }
        if (file.looksChanged(listing)) await this.drain(file);
      }
      this.byPath.set(listing.path, file);
      if (rotatedAway) file.flushPartialLine();
      if (!atStart) await this.openFiles.keep(file, mayGrow(listing));
    }
    return tree.files;
  }

  /** `made`: a file that appeared while following (it may be a copy of one followed: copytruncate). */
  private track(listing: LogFile, resume: ReadPoint | undefined, made = false): FollowedFile {
    this.left.delete(listing.identity);
    // Without bytes to compare, only an untouched file is taken for the one that left (an inode is reused).
    const trusted = resume && (resume.check !== null || resume.mtimeMs === listing.mtimeMs);
    const start = trusted ? resume : { offset: 0, check: null, mtimeMs: listing.mtimeMs };
    const file = new FollowedFile(listing, start, this.clock.now(), this.maxLineBytes, this.fileEvents, made && !trusted);
    this.files.set(listing.identity, file);
    return file;
  }

  /** What a new file may be a copy of: the files followed, then those seen truncated, newest first. */
  private *copySources(): Iterable<CopySource> {
    for (const file of this.files.values()) yield file.copySource();
    yield* this.truncated.newestFirst();
  }

  private remember(file: FollowedFile): void {
    this.left.set(file.identity, file.readPoint());
    // Bounded: the oldest go first.
    if (this.left.size > MAX_REMEMBERED) this.left.delete(this.left.keys().next().value!);
  }

  private async forget(file: FollowedFile): Promise<void> {
    this.files.delete(file.identity);
    this.adoptions.drop(file);
    this.drainDue.delete(file);
    this.idleDue.delete(file);
    this.idleTimers.cancel(file);
    await this.openFiles.close(file);
  }

  private async drain(file: FollowedFile): Promise<void> {
    await this.adoptions.adopt(file); // a file present at start: from the end of its complete lines
    const outcome = await this.drainFile(file);
    if (outcome !== 'read') this.listingDue = true; // deleted, its name is another file now, or truncated
    if (outcome === 'truncated') this.drainDue.add(file); // what it holds now, after the listing
    this.armIdleTimer(file);
  }

  private async isCopy(file: FollowedFile): Promise<boolean> {
    try {
      return await file.isCopy(this.fileSystem, () => this.clock.now());
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  private async drainFile(file: FollowedFile): Promise<DrainOutcome> {
    try {
      return await file.drain(this.fileSystem, this.buffer, () => this.clock.now(), () => this.aborted);
    } catch (error) {
      this.report(error);
      return 'read';
    }
  }

  /** A held unfinished line is due to be emitted once the file has not grown for a while. */
  private armIdleTimer(file: FollowedFile): void {
    this.idleTimers.arm(file, (file.hasPartialLine || file.undecided) && this.files.has(file.identity));
  }

  private async flushIfIdle(file: FollowedFile): Promise<void> {
    if (!this.files.has(file.identity)) return;
    await this.drain(file); // bytes that came since, before deciding
    const idle = this.idleTimers.isIdle(file);
    if (file.undecided && idle) {
      // It began like a followed file but stopped short of being a copy of one: a file of its own.
      file.decideNotACopy();
      await this.drain(file);
      return;
    }
    if (file.hasPartialLine && idle) file.flushPartialLine();
    this.armIdleTimer(file);
  }

  private schedulePoll(): void {
    if (this.aborted) return;
    const watched = this.dirs.allWatched && !this.missingDir.isMissing;
    const interval = watched ? (this.options.safetyPollMs ?? DEFAULT_SAFETY_POLL_MS) : (this.options.pollMs ?? DEFAULT_POLL_MS);
    this.pollTimer = this.clock.setTimeout(() => void this.poll(watched).then(() => this.schedulePoll()), timerDelay(interval));
  }

  /** The safety net: a listing only when a dir is unwatched or its mtime moved; every open file checked. */
  private async poll(watched: boolean): Promise<void> {
    try {
      if (!watched || (await this.dirs.changedSinceLastLook(statMtime))) this.listingDue = true;
    } catch (error) {
      this.report(error);
    }
    for (const file of this.files.values()) if (file.handle) this.drainDue.add(file);
    this.kick();
    await this.working;
  }

  private emit(line: TailLine): void {
    if (this.stopped) return;
    const { accept, onLine } = this.options;
    safeCall((l: TailLine) => (accept && !accept(l) ? undefined : onLine(l)), this.options.onError, line);
  }

  private report(error: unknown): void {
    reportSafely(this.options.onError, error);
  }
}
