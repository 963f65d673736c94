import { systemClock, type Clock } from '../clock.js';
import { oneLine } from '../errors.js';
import { BudgetLedgerFile, type HeldBackRecord } from './budget-ledger-file.js';
import {
  decide,
  emptyLedger,
  resolveBudgetOptions,
  type BudgetDecision,
  type BudgetLedger,
  type BudgetLevel,
  type BudgetOptions,
  type ResolvedBudgetOptions,
} from './budget-policy.js';
import { HOLD_REASONS, type HeldBackCount, type HoldReason } from './held-back.js';
import { InstallIdSource } from './install-id.js';

/** Where the budget keeps its ledger and journal (an in-memory one in tests and the simulation). */
export interface BudgetPersistence {
  save(ledger: BudgetLedger): Promise<void>;
  journal(record: HeldBackRecord): Promise<void>;
  idle(): Promise<void>;
}

export type BudgetLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface DeliveryBudgetInit {
  installId: string;
  ledger?: BudgetLedger;
  /** `false`: every occurrence goes (nothing is counted or held back). */
  options?: BudgetOptions | false;
  persistence?: BudgetPersistence;
  clock?: Pick<Clock, 'now'>;
  log?: BudgetLog;
}

/** What was held back, by reason (for `upload --json`, the data-dir view and release-health sessions). */
export interface HeldBackSummary {
  total: number;
  byReason: Partial<Record<HoldReason, number>>;
}

/** What the ledger still carries: counts waiting for their fingerprint's next event. */
export interface PendingHeldBack extends HeldBackSummary {
  fingerprints: Array<{ fingerprint: string } & HeldBackCount>;
}

/**
 * The delivery budget of one install: decides, per occurrence that passed the crash-loop limiter,
 * whether it becomes a Sentry event now or is held back and counted (budget-policy.ts has the rules).
 * Decisions are synchronous; the ledger is saved and each hold journaled in the background (a
 * fault there is logged, never thrown: a budget that cannot save still decides).
 */
export class DeliveryBudget {
  readonly installId: string;
  readonly enabled: boolean;
  readonly options: ResolvedBudgetOptions;
  private readonly ledger: BudgetLedger;
  private readonly persistence: BudgetPersistence | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly log: BudgetLog;
  private eventsThisRun = 0;
  private readonly heldThisRun: HeldBackSummary = { total: 0, byReason: {} };

  constructor(init: DeliveryBudgetInit) {
    this.installId = init.installId;
    this.enabled = init.options !== false;
    this.options = resolveBudgetOptions(init.options === false ? {} : init.options);
    this.ledger = init.ledger ?? emptyLedger();
    this.persistence = init.persistence;
    this.clock = init.clock ?? systemClock;
    this.log = init.log ?? (() => undefined);
  }

  /**
   * Opens the budget of the install whose data dir this is: its install id (made on first use) and
   * ledger. A damaged ledger is moved aside and the budget starts empty; one from a newer version is
   * used but never overwritten.
   */
  static async open(options: { dataDir: string; budget?: BudgetOptions | false; clock?: Pick<Clock, 'now'>; log?: BudgetLog; installId?: InstallIdSource }): Promise<DeliveryBudget> {
    const clock = options.clock ?? systemClock;
    const log = options.log ?? (() => undefined);
    const installId = await (options.installId ?? InstallIdSource.inDataDir(options.dataDir)).get();
    const file = BudgetLedgerFile.inDataDir(options.dataDir);
    const read = await file.read(clock.now());
    if (read.ok === false) log('warn', `delivery budget: ${read.problem}; moved to ${read.movedTo ?? '(could not move)'}, starting from an empty ledger`);
    if (read.ok === 'newer') log('warn', `delivery budget: ${file.file} is from a newer version (${read.version}); used read-only`);
    const persistence: BudgetPersistence = read.ok === 'newer' ? { save: async () => undefined, journal: (r) => file.journal(r), idle: () => file.idle() } : file;
    return new DeliveryBudget({ installId, ledger: read.ledger, options: options.budget, persistence, clock, log });
  }

  /** Decides one occurrence; the caller sends an event only when `send` is true, carrying `carried`. */
  admit(occurrence: { fingerprint: string; kind: string; level: BudgetLevel; at?: number }): BudgetDecision {
    const at = occurrence.at ?? this.clock.now();
    if (!this.enabled) return { send: true, why: 'off', carried: null };
    const decision = decide(this.ledger, { ...occurrence, at }, this.options, this.installId, this.eventsThisRun);
    if (decision.send) {
      this.eventsThisRun++;
    } else {
      this.heldThisRun.total++;
      this.heldThisRun.byReason[decision.reason] = (this.heldThisRun.byReason[decision.reason] ?? 0) + 1;
      this.background('journal', this.persistence?.journal({ at, fingerprint: occurrence.fingerprint, kind: occurrence.kind, level: occurrence.level, reason: decision.reason }));
    }
    this.background('save', this.persistence?.save(this.ledger));
    return decision;
  }

  /** Held back in this run (a release-health session reports it). */
  heldBackThisRun(): HeldBackSummary {
    return { total: this.heldThisRun.total, byReason: { ...this.heldThisRun.byReason } };
  }

  /** Counts the ledger carries now, waiting for their fingerprint's next event. */
  pending(): PendingHeldBack {
    return pendingHeldBack(this.ledger);
  }

  /** The ledger as it is now (a copy). */
  snapshot(): BudgetLedger {
    return structuredClone(this.ledger);
  }

  async idle(): Promise<void> {
    await this.persistence?.idle();
  }

  private background(what: string, work: Promise<void> | undefined): void {
    work?.catch((error: unknown) => this.log('error', `delivery budget: could not ${what} (${oneLine(error)})`));
  }
}

/** The counts a ledger carries, largest first. */
export function pendingHeldBack(ledger: BudgetLedger): PendingHeldBack {
  const fingerprints = Object.entries(ledger.fingerprints)
    .filter(([, entry]) => entry.pending && entry.pending.total > 0)
    .map(([fingerprint, entry]) => ({ fingerprint, ...(entry.pending as HeldBackCount) }))
    .sort((a, b) => b.total - a.total || a.fingerprint.localeCompare(b.fingerprint));
  const byReason: Partial<Record<HoldReason, number>> = {};
  for (const f of fingerprints) {
    for (const reason of HOLD_REASONS) if (f.byReason[reason]) byReason[reason] = (byReason[reason] ?? 0) + (f.byReason[reason] ?? 0);
  }
  return { total: fingerprints.reduce((sum, f) => sum + f.total, 0), byReason, fingerprints };
}

/** What the data dir's ledger holds back now (for `upload --json` and the data-dir view); read-only. */
export async function readPendingHeldBack(dataDir: string): Promise<PendingHeldBack> {
  const read = await BudgetLedgerFile.inDataDir(dataDir).read(Date.now(), true).catch(() => null);
  return pendingHeldBack(read?.ledger ?? emptyLedger());
}
