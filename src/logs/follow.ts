import { watch, type FSWatcher } from 'node:fs';
import { systemClock, type Clock } from '../clock.js';
import { errnoCode, isDiagError } from '../errors.js';
import { reportSafely, safeCall } from '../safe-call.js';
import { discoverLogFiles, type LogFile } from './discover.js';
import { parseDesktopLogName } from './file-naming.js';
import { LineAssembler } from './line-assembler.js';
import { DEFAULT_MAX_LINE_BYTES } from './line-cut.js';
import { nodeTailFileSystem, readAt, readLastLines, type TailFileHandle, type TailFileSystem } from './read-last-lines.js';
import type { TailLine } from './types.js';

export interface FollowLogsOptions {
  logDir: string;
  /** Following stops when it aborts; the promise then resolves. */
  signal: AbortSignal;
  onLine: (line: TailLine) => void;
  /** Poll interval: the fallback when fs.watch is unavailable and the safety net when it misses events. Default 250. */
  pollMs?: number;
  /** Emit the last N lines present at start first (like `tail -n N -F`). Default 0. */
  initialLines?: number;
  /** Only lines it accepts are emitted (and count towards initialLines), e.g. a level filter. */
  accept?: (line: TailLine) => boolean;
  maxLineBytes?: number;
  /**
   * A last line without newline is emitted once its file has not grown for this long (like `tail -f`
   * shows it); bytes added to it later then come as a new line. Default 1000.
   */
  partialLineIdleMs?: number;
  /** Use fs.watch on the log dir to react sooner than the poll. Default true. */
  watch?: boolean;
  clock?: Clock;
  fileSystem?: TailFileSystem;
  /** Called after each scan of the dir (tells a caller the follower is live and caught up). */
  onScan?: () => void;
  /** Faults while following (unreadable file, onLine threw); following goes on. */
  onError?: (error: unknown) => void;
}

interface Tracked {
  identity: string;
  family: string;
  offset: number;
  /**
   * The last bytes before `offset` (up to CHECK_BYTES), or null when not known. A file truncated and
   * written again past its old length between two scans has a size that looks like growth; these
   * bytes no longer matching is how the rewrite shows.
   */
  check: Uint8Array | null;
  /** The file's mtime when it was last read up to `offset`. */
  mtimeMs: number;
  /** clock.now() when the file last grew. */
  grewAt: number;
  assembler: LineAssembler;
}

const READ_BLOCK = 64 * 1024;
const CHECK_BYTES = 256;
// fs.watch fires on every write to a file in the dir: gather a burst into one scan.
const WATCH_DEBOUNCE_MS = 20;

/**
 * Follows a log dir like `tail -F`: emits new lines as they are written, across pino-roll rotation
 * (the old file is read to its end before the new one), truncation, deletion, and a dir that starts
 * empty or missing. Each scan discovers the files and reads every file that grew since its offset,
 * oldest first, so a rotation never loses or repeats a line.
 */
export async function followLogs(options: FollowLogsOptions): Promise<void> {
  const follower = new Follower(options);
  await follower.run();
}

class Follower {
  private readonly tracked = new Map<string, Tracked>();
  private readonly clock: Clock;
  private readonly fileSystem: TailFileSystem;
  private readonly maxLineBytes: number;
  private readonly pollMs: number;
  private readonly partialLineIdleMs: number;
  private watcher: FSWatcher | null = null;
  private timer: unknown = null;
  private watchTimer: unknown = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private readonly buffer = new Uint8Array(READ_BLOCK);

  constructor(private readonly options: FollowLogsOptions) {
    this.clock = options.clock ?? systemClock;
    this.fileSystem = options.fileSystem ?? nodeTailFileSystem;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.pollMs = Math.max(1, options.pollMs ?? 250);
    this.partialLineIdleMs = options.partialLineIdleMs ?? 1000;
  }

  private get aborted(): boolean {
    return this.options.signal.aborted;
  }

  async run(): Promise<void> {
    if (this.aborted) return;
    await this.start();
    await new Promise<void>((resolve) => {
      const stop = () => {
        this.clock.clearTimeout(this.timer);
        this.clock.clearTimeout(this.watchTimer);
        this.watcher?.close();
        this.watcher = null;
        // Resolve only after an in-flight scan ends, so no line is emitted after the promise settles.
        void (this.scanning ?? Promise.resolve()).then(() => resolve());
      };
      if (this.aborted) stop();
      else {
        this.options.signal.addEventListener('abort', stop, { once: true });
        this.schedulePoll();
      }
    });
  }

  /** Emits the initial lines and records where each file's new lines begin. */
  private async start(): Promise<void> {
    const files = await this.discover();
    const snapshot: LogFile[] = [];
    const newestOfWriter = new Map(files.map((f) => [writerOf(f), f]));
    for (const file of files) {
      // A partial last line (being written) is left to the follower, so it is emitted once, whole.
      const { end, check } =
        newestOfWriter.get(writerOf(file)) === file ? await this.completeLinesEnd(file) : { end: file.size, check: null };
      snapshot.push({ ...file, size: end });
      this.track(file, end, check);
    }
    const wanted = this.options.initialLines ?? 0;
    if (wanted > 0 && snapshot.length > 0) {
      try {
        const { lines } = await readLastLines({
          logDir: this.options.logDir,
          count: wanted,
          files: snapshot,
          maxLineBytes: this.maxLineBytes,
          fileSystem: this.fileSystem,
          ...(this.options.accept ? { accept: this.options.accept } : {}),
        });
        for (const line of lines) this.emit(line);
      } catch (error) {
        this.report(error);
      }
    }
    this.ensureWatcher();
    this.notifyScan();
  }

  /**
   * The offset just after the file's last newline, looked for within maxLineBytes of its end, and the
   * bytes before it (for the rewrite check).
   */
  private async completeLinesEnd(file: LogFile): Promise<{ end: number; check: Uint8Array | null }> {
    if (file.size === 0) return { end: 0, check: null };
    const length = Math.min(file.size, this.maxLineBytes + 1);
    const bytes = new Uint8Array(length);
    let handle: TailFileHandle | undefined;
    try {
      handle = await this.fileSystem.open(file.path);
      if ((await readAt(handle, bytes, file.size - length)) < length) return { end: file.size, check: null };
      const newline = bytes.lastIndexOf(0x0a);
      // No newline that close to the end: a huge partial line; take the file as it is.
      const within = newline === -1 ? length : newline + 1;
      return { end: file.size - length + within, check: lastBytes(null, bytes.subarray(0, within)) };
    } catch {
      return { end: file.size, check: null };
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private track(file: LogFile, offset: number, check: Uint8Array | null = null): Tracked {
    const entry: Tracked = {
      identity: file.identity,
      family: file.family,
      offset,
      check,
      mtimeMs: file.mtimeMs,
      grewAt: this.clock.now(),
      assembler: new LineAssembler(this.maxLineBytes, (text) => this.emitIfAccepted({ source: file.source, text })),
    };
    this.tracked.set(file.path, entry);
    return entry;
  }

  private async discover(): Promise<LogFile[]> {
    try {
      return await discoverLogFiles(this.options.logDir);
    } catch (error) {
      // A missing dir is a dir that has no logs yet: keep polling for it.
      if (!(isDiagError(error) && error.code === 'NOT_FOUND')) this.report(error);
      return [];
    }
  }

  private emit(line: TailLine): void {
    if (!this.aborted) safeCall(this.options.onLine, this.options.onError, line);
  }

  /** New lines; the initial ones come filtered from readLastLines. */
  private emitIfAccepted(line: TailLine): void {
    const { accept, onLine } = this.options;
    if (!this.aborted) safeCall((l: TailLine) => (accept && !accept(l) ? undefined : onLine(l)), this.options.onError, line);
  }

  private report(error: unknown): void {
    reportSafely(this.options.onError, error);
  }

  private schedulePoll(): void {
    if (this.aborted) return;
    this.timer = this.clock.setTimeout(() => {
      void this.scan().then(() => this.schedulePoll());
    }, this.pollMs);
  }

  private ensureWatcher(): void {
    if (this.watcher || this.options.watch === false || this.aborted) return;
    try {
      // persistent: false so a library follower never holds its host process open.
      this.watcher = watch(this.options.logDir, { persistent: false }, () => this.onWatchEvent());
      this.watcher.on('error', () => {
        // e.g. the dir was removed: polling carries on and re-creates the watcher when it can.
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // no dir yet, or fs.watch unsupported here: polling covers it
    }
  }

  private onWatchEvent(): void {
    if (this.watchTimer !== null || this.aborted) return;
    this.watchTimer = this.clock.setTimeout(() => {
      this.watchTimer = null;
      void this.scan();
    }, Math.min(WATCH_DEBOUNCE_MS, this.pollMs));
  }

  /** One scan at a time; a request during a scan runs one more after it. */
  private scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.rescan = false;
          await this.scanOnce();
        } while (this.rescan && !this.aborted);
      } catch (error) {
        this.report(error);
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.aborted) return;
    const files = await this.discover();
    this.ensureWatcher();
    const present = new Set<string>();
    const newestOfWriter = new Map(files.map((f) => [writerOf(f), f.path]));
    for (const file of files) {
      if (this.aborted) return;
      present.add(file.path);
      let entry = this.tracked.get(file.path);
      if (!entry || entry.identity !== file.identity) {
        entry?.assembler.reset(); // replaced by another file under the same name: start it afresh
        entry = this.track(file, 0);
      }
      // Unchanged since the last read (discovery just stat'ed it): nothing to open. A changed mtime at
      // the same size may be a rewrite to the same length, which drain checks.
      if (file.size !== entry.offset || file.mtimeMs !== entry.mtimeMs) await this.drain(file, entry);
      // A newer file from the same writer means this one is finished: its last line needs no newline.
      if (newestOfWriter.get(writerOf(file)) !== file.path) entry.assembler.flush();
      else if (entry.assembler.hasPending && this.clock.now() - entry.grewAt >= this.partialLineIdleMs) entry.assembler.flush();
    }
    for (const [filePath, entry] of this.tracked) {
      if (!present.has(filePath)) {
        entry.assembler.flush();
        this.tracked.delete(filePath);
      }
    }
    this.notifyScan();
  }

  private notifyScan(): void {
    safeCall(this.options.onScan, this.options.onError);
  }

  /** Reads a file from its offset to its current end. */
  private async drain(file: LogFile, entry: Tracked): Promise<void> {
    let handle: TailFileHandle;
    try {
      handle = await this.fileSystem.open(file.path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.report(error);
      return; // gone since discovery: the next scan drops it
    }
    try {
      const { size } = await handle.stat();
      if (size < entry.offset || !(await this.stillSameBytes(handle, entry))) {
        // Truncated, or truncated and written again past the old end (tail -F does the same for the
        // first): what was before is gone, read it from the start.
        entry.offset = 0;
        entry.check = null;
        entry.assembler.reset();
      }
      entry.mtimeMs = file.mtimeMs;
      while (!this.aborted) {
        const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, entry.offset);
        if (bytesRead === 0) break;
        entry.offset += bytesRead;
        entry.grewAt = this.clock.now();
        entry.check = lastBytes(entry.check, this.buffer.subarray(0, bytesRead));
        entry.assembler.push(this.buffer.subarray(0, bytesRead));
      }
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') this.report(error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** True when the bytes before the offset are still those read there (or nothing is known to compare). */
  private async stillSameBytes(handle: TailFileHandle, entry: Tracked): Promise<boolean> {
    const check = entry.check;
    if (check === null || check.length === 0 || entry.offset < check.length) return true;
    const now = new Uint8Array(check.length);
    if ((await readAt(handle, now, entry.offset - check.length)) < now.length) return false;
    return Buffer.compare(now, check) === 0;
  }
}

/**
 * Who writes the file: one pino-roll logger writes its files one after another, but several desktop
 * processes (pid, thread, instance in the name) write theirs at once, so one of them having a newer
 * file says nothing about whether another's last line is finished.
 */
function writerOf(file: LogFile): string {
  if (file.kind !== 'desktop') return file.family;
  const name = parseDesktopLogName(file.source);
  return name ? `${file.family}${name.session}\u0000${name.pid}\u0000${name.thread}\u0000${name.instance}` : file.family;
}

/** The last CHECK_BYTES of `previous` followed by `bytes` (a copy: the caller reuses its buffer). */
function lastBytes(previous: Uint8Array | null, bytes: Uint8Array): Uint8Array {
  if (bytes.length >= CHECK_BYTES) return bytes.slice(bytes.length - CHECK_BYTES);
  const head = previous === null ? new Uint8Array(0) : previous.subarray(Math.max(0, previous.length + bytes.length - CHECK_BYTES));
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}
