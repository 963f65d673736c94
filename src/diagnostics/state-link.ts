import type { Clock } from '../clock.js';
import type { StateStore } from '../state/store.js';
import type { ServiceReporter } from './service-reporter.js';

/** Changes held while the store opens (start-up takes a fraction of a second; this only bounds memory). */
const MAX_HELD_CHANGES = 1_000;
/** The largest time a Date holds; the store reads any other value as now, and so does this. */
const MAX_TIME_MS = 8.64e15;

/** How the parts of the service change the state: now, or once the store has opened. */
export interface StateUpdates {
  /**
   * Applies `apply` to the store (a throw is a fault of `area`). Before the store is open it is held
   * and applied, in order, when it opens; a later change with the same `coalesce` key replaces a held one.
   */
  change(area: string, apply: (store: StateStore) => void, coalesce?: string): void;
}

interface HeldChange {
  area: string;
  apply: (store: StateStore) => void;
  coalesce: string | undefined;
}

/**
 * The service's hold on its state store, which opens after createDiagnostics has returned (reading
 * and validating the file loads the schema library, which stays off the caller's start-up). What
 * the app records meanwhile is held and applied when the store opens; renderer-ready latency is
 * answered at once from this launch's recorded start, as the store computes it.
 */
export class StateLink implements StateUpdates {
  private store: StateStore | undefined;
  /** The open attempt has ended (with a store or without one): changes are no longer held. */
  private settled = false;
  /** close() has run: a store that opens after it is closed at once. */
  private ended = false;
  private held: HeldChange[] = [];
  private overflowed = false;
  /** While held: this launch's start and first renderer-ready latency, as the store will record them. */
  private launchStartedAt: number | undefined;
  private launchLatency: number | null = null;

  constructor(
    private readonly reporter: ServiceReporter,
    private readonly clock: Clock,
  ) {}

  /** The open store; undefined while it opens, when it could not open, and after close. */
  current(): StateStore | undefined {
    return this.store;
  }

  /** The open attempt ended: held changes are applied to the store (dropped when there is none). */
  attach(store: StateStore | undefined): void {
    if (this.ended) {
      void store?.close();
      return;
    }
    this.store = store;
    this.settled = true;
    const held = this.held;
    this.held = [];
    if (store) for (const { area, apply } of held) this.reporter.guard(area, () => apply(store));
  }

  /** Flushes and closes the store; nothing is recorded after this. */
  close(): Promise<void> {
    this.ended = true;
    this.settled = true;
    this.held = [];
    const store = this.store;
    this.store = undefined;
    return store ? store.close() : Promise.resolve();
  }

  change(area: string, apply: (store: StateStore) => void, coalesce?: string): void {
    if (this.settled) {
      const store = this.store;
      if (store) this.reporter.guard(area, () => apply(store));
      return;
    }
    if (coalesce !== undefined) {
      const index = this.held.findIndex((change) => change.coalesce === coalesce);
      if (index >= 0) this.held.splice(index, 1);
    }
    if (this.held.length >= MAX_HELD_CHANGES) {
      if (!this.overflowed) this.reporter.fault(area, new Error(`more than ${MAX_HELD_CHANGES} state changes before the state file opened; later ones dropped`));
      this.overflowed = true;
      return;
    }
    this.held.push({ area, apply, coalesce });
  }

  appStarted(requested: number | undefined): void {
    // Fixed now, not when applied: a held start keeps the time the app reported it.
    const now = this.time(requested);
    if (!this.settled) {
      this.launchStartedAt = ms(now);
      this.launchLatency = null;
    }
    this.change('state', (store) => store.recordAppStarted(now));
  }

  /** This launch's renderer-ready latency: the first one; null before appStarted. */
  rendererReady(): number | null {
    const now = this.clock.now();
    if (this.settled) {
      let latency: number | null = null;
      const store = this.store;
      if (store) this.reporter.guard('state', () => (latency = store.recordRendererReady(now)));
      return latency;
    }
    this.change('state', (store) => store.recordRendererReady(now));
    if (this.launchStartedAt === undefined) return null;
    // Never negative, and a second ready never overwrites the first (as the store records it).
    this.launchLatency ??= Math.max(0, ms(now) - this.launchStartedAt);
    return this.launchLatency;
  }

  private time(requested: number | undefined): number {
    return typeof requested === 'number' && Number.isFinite(requested) && Math.abs(requested) <= MAX_TIME_MS ? requested : this.clock.now();
  }
}

const ms = (now: number) => Math.max(0, Math.round(now));
