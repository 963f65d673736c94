import { systemClock, type Clock } from '../clock.js';
import { DiagError, oneLine } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { reportSafely } from '../safe-call.js';
import { decodeState, encodeState } from './decode.js';
import { defaultState } from './defaults.js';
import { moveAside, readStateBytes, removeStaleTempFiles, resolveStateFile, writeStateFile } from './files.js';
import * as mutate from './mutations.js';
import { CURRENT_STATE_VERSION, currentStateSchema, type SessionRecord, type State } from './schemas.js';
import { summarizeStartup, type StartupSummary } from './startup-metrics.js';

export interface StateStoreOptions {
  /** The state file (contract default: `<data dir>/state.json`). */
  file: string;
  clock?: Clock;
  /** Problems the store recovered from (corrupt file, newer version, unwritable). Never throws into the app. */
  warn?: (problem: DiagError) => void;
  /** Saves wait this long after the first change, then write every change made meanwhile (default 2000). */
  debounceMs?: number;
  /** Shared writer, when the caller serialises other writes to the same paths; one of its own otherwise. */
  writer?: AtomicWriter;
}

/** `read-only`: the file is from a newer version, unreadable, or corrupt and could not be moved aside. */
export type StateStoreMode = 'read-write' | 'read-only';

export interface StateLoadReport {
  outcome: 'fresh' | 'loaded' | 'migrated' | 'corrupt-moved-aside' | 'newer-version' | 'unusable';
  /** The version the file was in, when it could be read. */
  fromVersion: number | null;
  /** Where a corrupt file was moved (byte for byte). */
  movedAsideTo?: string;
  problem?: DiagError;
}

/** Times beyond this (year 275760, JavaScript's Date limit) are not times. */
const MAX_TIME_MS = 8.64e15;

/** Bounds what a crash can lose while keeping a heartbeat-driven app to one write every 2 s. */
export const DEFAULT_STATE_DEBOUNCE_MS = 2000;

/**
 * The app's persistent state: loaded (and migrated) once on open, changed in memory by the
 * record* methods, saved debounced and atomically; `flush()` saves now (on quit). Nothing here
 * throws into the app: a file it cannot use or write is reported through `warn` and the store
 * goes on in memory, never destroying what is on disk.
 */
export class StateStore {
  readonly file: string;
  /** Where the file's bytes are: `file`, or the target of a symlinked `file` (see resolveStateFile). */
  private target: string;
  private readonly clock: Clock;
  private readonly warn: ((problem: DiagError) => void) | undefined;
  private readonly debounceMs: number;
  private readonly writer: AtomicWriter;

  private state: State = defaultState();
  private currentMode: StateStoreMode = 'read-write';
  private report: StateLoadReport = { outcome: 'fresh', fromVersion: null };
  /** Bytes of the file as loaded, written to `<file>.bak` before this session first replaces it. */
  private lastGoodBytes: Uint8Array | undefined;
  private dirty = false;
  private timer: unknown;
  private saving: Promise<void> = Promise.resolve();
  private failure: DiagError | undefined;
  private closed = false;
  /** The start recorded by this process; a start read from disk belongs to an earlier launch. */
  private launchStartedAt: number | undefined;

  private constructor(options: StateStoreOptions) {
    this.file = options.file;
    this.target = options.file;
    this.clock = options.clock ?? systemClock;
    this.warn = options.warn;
    this.debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_STATE_DEBOUNCE_MS);
    this.writer = options.writer ?? new AtomicWriter();
  }

  /** Loads the file (migrating and rewriting an older one once). Never rejects for a bad file. */
  static async open(options: StateStoreOptions): Promise<StateStore> {
    const store = new StateStore(options);
    store.target = await resolveStateFile(options.file);
    await store.load();
    if (store.mode === 'read-write') await removeStaleTempFiles(store.target);
    return store;
  }

  get mode(): StateStoreMode {
    return this.currentMode;
  }

  /** What happened when the file was opened. */
  get loadReport(): StateLoadReport {
    return this.report;
  }

  /** The last save failure (STATE_UNWRITABLE), cleared by the next successful save. */
  get lastError(): DiagError | undefined {
    return this.failure;
  }

  /** True while changes are waiting to be written. */
  get hasUnsavedChanges(): boolean {
    return this.dirty;
  }

  /** A deep copy of the current state (what the bundle's state.json carries). */
  snapshot(): State {
    return structuredClone(this.state);
  }

  startupSummary(): StartupSummary {
    return summarizeStartup(this.state);
  }

  recordAppStarted(now: number = this.clock.now()): void {
    mutate.appStarted(this.state, this.time(now));
    this.launchStartedAt = this.state.startup.app_started_at_ms ?? undefined;
    this.changed();
  }

  /** Returns this launch's renderer-ready latency (null before recordAppStarted). */
  recordRendererReady(now: number = this.clock.now()): number | null {
    const latency = mutate.rendererReady(this.state, this.time(now), this.launchStartedAt);
    this.changed();
    return latency;
  }

  /** Returns the attempts so far. */
  recordRecoveryAttempt(now: number = this.clock.now()): number {
    const attempts = mutate.recoveryAttempted(this.state, this.time(now));
    this.changed();
    return attempts;
  }

  resetRecoveryAttempts(): void {
    if (this.state.renderer.recovery_attempts === 0) return;
    mutate.recoveryReset(this.state);
    this.changed();
  }

  recordHeartbeat(now: number = this.clock.now()): void {
    mutate.heartbeat(this.state, this.time(now));
    this.changed();
  }

  /** Returns the restart count so far. */
  recordSidecarRestart(now: number, reason: string | null): number {
    const text = typeof reason === 'string' ? reason : reason === null || reason === undefined ? null : String(reason);
    const count = mutate.sidecarRestarted(this.state, this.time(now), text);
    this.changed();
    return count;
  }

  /** An empty fingerprint is ignored (the file's schema has no place for it). */
  recordIncident(fingerprint: string, now: number, options: { suppressed?: boolean } = {}): void {
    if (typeof fingerprint !== 'string' || fingerprint === '') return;
    mutate.incidentSeen(this.state, fingerprint, this.time(now), options.suppressed === true);
    this.changed();
  }

  /** The release-health session of the latest run (a copy); null before the first. */
  session(): SessionRecord | null {
    return structuredClone(this.state.session);
  }

  /** Replaces the session marker; release health makes it durable at once with flush(). */
  recordSession(session: SessionRecord): void {
    this.state.session = structuredClone(session);
    this.changed();
  }

  /**
   * A time the caller gave, or the clock's when it is not a finite number: NaN or Infinity would be
   * written as null, and the next start would find the file invalid and set it aside.
   */
  private time(now: number): number {
    return typeof now === 'number' && Number.isFinite(now) && Math.abs(now) <= MAX_TIME_MS ? now : this.clock.now();
  }

  /** Writes pending changes now (used on quit). Resolves when written or failed; never rejects. */
  flush(): Promise<void> {
    this.cancelTimer();
    return this.save();
  }

  /** Flushes and stops scheduling saves; later changes stay in memory only. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private changed(): void {
    this.dirty = true;
    // The first change schedules the save and later ones ride along: a steady stream of
    // heartbeats cannot postpone it forever, as a resetting debounce would.
    if (this.closed || this.currentMode === 'read-only' || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One save at a time; each writes the state as it is when it starts. */
  private save(): Promise<void> {
    this.saving = this.saving.then(() => this.writeIfDirty());
    return this.saving;
  }

  private async writeIfDirty(): Promise<void> {
    if (!this.dirty || this.currentMode === 'read-only') return;
    this.dirty = false;
    try {
      // Never write what the next start would reject and set aside: check it as a load would.
      const check = currentStateSchema.safeParse(this.state);
      if (!check.success) {
        const issue = check.error.issues[0];
        throw new DiagError('INTERNAL', `state not saved to ${this.target}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; the file on disk is unchanged`);
      }
      const text = encodeState(this.state);
      await writeStateFile(this.writer, this.target, text, { backup: this.lastGoodBytes });
      this.lastGoodBytes = undefined;
      this.failure = undefined;
    } catch (error) {
      this.dirty = true;
      const reason = error instanceof DiagError ? oneLine(error) : `cannot write state file ${this.target}: ${oneLine(error)}`;
      const problem = new DiagError('STATE_UNWRITABLE', `${reason}; state kept in memory`, { cause: error });
      // Say it once per failure, not on every debounced retry.
      if (this.failure?.message !== problem.message) this.emit(problem);
      this.failure = problem;
    }
  }

  private async load(): Promise<void> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readStateBytes(this.target);
    } catch (error) {
      // Too big to be a state file: a file like any other corrupt one, moved aside whole.
      if (error instanceof DiagError && error.code === 'STATE_CORRUPT') await this.setCorruptFileAside(error);
      else {
        const untouched = error instanceof DiagError && error.code === 'BAD_INPUT'; // its message says so
        this.goReadOnly('unusable', error, `${untouched ? '' : 'left untouched, '}running with in-memory state`);
      }
      return;
    }
    if (bytes === undefined) return; // first launch: defaults, the first save creates the file
    try {
      const { state, from } = decodeState(bytes, this.target);
      this.state = state;
      this.lastGoodBytes = bytes;
      if (from < CURRENT_STATE_VERSION) {
        this.report = { outcome: 'migrated', fromVersion: from };
        // Migrated in memory and validated; written once, now, with the original kept as .bak.
        this.dirty = true;
        await this.save();
      } else {
        this.report = { outcome: 'loaded', fromVersion: from };
      }
    } catch (error) {
      if (error instanceof DiagError && error.code === 'STATE_FROM_NEWER_VERSION') {
        this.goReadOnly('newer-version', error, 'running with in-memory state');
        return;
      }
      await this.setCorruptFileAside(error);
    }
  }

  private async setCorruptFileAside(error: unknown): Promise<void> {
    const reason = oneLine(error);
    try {
      const movedAsideTo = await moveAside(this.target, this.clock.now());
      const problem = new DiagError('STATE_CORRUPT', `${reason}; moved aside to ${movedAsideTo}, starting from defaults`, {
        cause: error,
      });
      this.report = { outcome: 'corrupt-moved-aside', fromVersion: null, movedAsideTo, problem };
      this.emit(problem);
    } catch (moveError) {
      // Without a copy the file must not be replaced: stay read-only rather than lose it.
      this.goReadOnly('unusable', error, `could not move it aside (${oneLine(moveError)}); left untouched, running with in-memory state`);
    }
  }

  private goReadOnly(outcome: StateLoadReport['outcome'], error: unknown, consequence: string): void {
    const base = error instanceof DiagError ? error : new DiagError('IO', oneLine(error), { cause: error });
    const problem = new DiagError(base.code, `${oneLine(base)}; ${consequence}`, { cause: error });
    this.currentMode = 'read-only';
    // Its version is not known: the file could not be read, or is from a version this build does not know.
    this.report = { outcome, fromVersion: null, problem };
    this.emit(problem);
  }

  private emit(problem: DiagError): void {
    // A throwing logger must not break the app's state handling.
    reportSafely(this.warn, problem);
  }
}
