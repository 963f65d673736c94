import type { Clock } from '../clock.js';
import type { BudgetDecision, BudgetLevel, BudgetOptions } from '../upload/budget-policy.js';
import type { DeliveryBudget, HeldBackSummary } from '../upload/budget.js';
import type { InstallIdSource } from '../upload/install-id.js';
import type { ServiceReporter } from './service-reporter.js';

export interface BudgetLinkOptions {
  dataDir: string;
  /** The `budget` option: `false` turns the budget off. */
  options: BudgetOptions | false | undefined;
  clock: Clock;
  reporter: ServiceReporter;
  /** The data dir's one install id (release health's `did` too). */
  installId?: InstallIdSource;
}

/**
 * The service's delivery budget: opened from the data dir on the first incident that would be sent
 * (so start-up reads nothing), asked once per incident the crash-loop limiter admitted. A budget
 * that cannot open is a counted fault and lets everything through: restraint must never lose a crash.
 */
export class BudgetLink {
  private budget: Promise<DeliveryBudget | undefined> | undefined;
  private opened: DeliveryBudget | undefined;

  constructor(private readonly options: BudgetLinkOptions) {}

  async admit(occurrence: { fingerprint: string; kind: string; level: BudgetLevel }): Promise<BudgetDecision> {
    if (this.options.options === false) return { send: true, why: 'off', carried: null };
    const budget = await this.open();
    if (!budget) return { send: true, why: 'off', carried: null };
    try {
      return budget.admit(occurrence);
    } catch (error) {
      this.options.reporter.fault('budget', error);
      return { send: true, why: 'off', carried: null };
    }
  }

  /** Held back in this run, by reason (a release-health session reports it); zero before the first incident. */
  heldBackThisRun(): HeldBackSummary {
    return this.opened?.heldBackThisRun() ?? { total: 0, byReason: {} };
  }

  /** Waits for the ledger writes in flight (close). */
  async idle(): Promise<void> {
    await this.opened?.idle();
  }

  private open(): Promise<DeliveryBudget | undefined> {
    const { dataDir, options, clock, reporter, installId } = this.options;
    this.budget ??= import('../upload/budget.js')
      .then(({ DeliveryBudget }) =>
        DeliveryBudget.open({ dataDir, budget: options === false ? {} : options, clock, log: (level, message, fields) => reporter.log(level, message, fields), ...(installId ? { installId } : {}) }),
      )
      .then((budget) => {
        this.opened = budget;
        return budget;
      })
      .catch((error: unknown) => {
        reporter.fault('budget', error);
        return undefined;
      });
    return this.budget;
  }
}
