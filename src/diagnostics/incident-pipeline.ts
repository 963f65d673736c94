import type { Clock } from '../clock.js';
import { oneLine } from '../errors.js';
import type { CrashLoopLimiter } from '../incidents/crash-loop-limiter.js';
import { fingerprintIncident } from '../incidents/fingerprint.js';
import type { IncidentJournal } from '../incidents/journal.js';
import type { parseIncident } from '../incidents/parse.js';
import type { Incident } from '../incidents/schema.js';
import { shouldCapture, type CapturePolicy } from '../incidents/policy.js';
import { sentryLevelFor } from '../incidents/sentry-level.js';
import type { StateStore } from '../state/store.js';
import type { BudgetLink } from './budget-link.js';
import type { EventHub } from './event-hub.js';
import type { IncidentBundleWriter } from './incident-bundle-writer.js';
import type { ServiceReporter } from './service-reporter.js';
import type { BundleEvent, DiagnosticsEvents, IncidentOutcome } from './types.js';
import type { UploadLink } from './upload-link.js';

export interface IncidentPipelineOptions {
  clock: Clock;
  homedir: string;
  /** The `app` option: fills an incident's missing appVersion. */
  app: { name: string; version: string } | undefined;
  capture: Partial<CapturePolicy>;
  /** `bundle.enabled` (default true). */
  bundlesEnabled: boolean;
  limiter: CrashLoopLimiter;
  /** Opened on the first incident (it loads the schema library, kept off start-up). */
  journal: () => Promise<IncidentJournal>;
  /** Resolves when start-up has opened the log and the state: an incident waits for it. */
  ready: () => Promise<void>;
  state: () => StateStore | undefined;
  bundles: IncidentBundleWriter;
  uploads: UploadLink;
  /** The delivery budget: asked only when a bundle would be sent to Sentry. */
  budget: BudgetLink;
  events: EventHub<DiagnosticsEvents>;
  reporter: ServiceReporter;
  /** An incident the policy captured (release health counts it into the session). */
  onCaptured?: (incident: Incident) => void;
}

/**
 * One incident's way through the service: validate, apply the capture policy, fingerprint, admit
 * through the crash-loop limiter, journal, ask the delivery budget (when uploading), build the
 * bundle, queue it for upload with what the budget held back before it. Each step's
 * failure is a counted fault that ends the incident with an outcome, never an exception.
 */
export class IncidentPipeline {
  /** Set once start-up is over and the incident schema has loaded; until then incidents wait for both. */
  private parse: typeof parseIncident | undefined;
  private loading: Promise<typeof parseIncident> | undefined;

  constructor(private readonly options: IncidentPipelineOptions) {}

  async process(input: unknown): Promise<IncidentOutcome> {
    const { clock, reporter, events } = this.options;
    const now = clock.now();
    // Read at once when it can be: an app may reuse the object it passed once the call returns.
    const parsed = (this.parse ?? (await this.load()))(input);
    if (!parsed.ok) {
      reporter.malformed('incident', `incident dropped: ${parsed.error}`);
      return { status: 'dropped', reason: 'malformed', error: parsed.error };
    }
    const incident = { ...parsed.incident };
    incident.occurredAt ??= new Date(now).toISOString();
    if (this.options.app) incident.appVersion ??= this.options.app.version;
    if (!shouldCapture(incident, this.options.capture)) {
      reporter.log('debug', `incident ignored by policy: ${incident.kind}`);
      return { status: 'ignored', reason: 'policy' };
    }
    reporter.guard('sessions', () => this.options.onCaptured?.(incident));
    const fingerprint = fingerprintIncident(incident, { homedir: this.options.homedir });
    const decision = this.options.limiter.admit(fingerprint.fingerprint, now);
    reporter.guard('state', () => this.options.state()?.recordIncident(fingerprint.fingerprint, now, { suppressed: !decision.bundle }));
    try {
      const journal = await this.options.journal();
      await journal.append(journal.recordFor(incident, fingerprint, decision));
    } catch (error) {
      reporter.fault('journal', error);
    }
    reporter.log(decision.bundle ? 'error' : 'warn', fingerprint.title, { fingerprint: fingerprint.fingerprint, kind: incident.kind, bundled: decision.bundle });
    events.emit('incident', {
      incident,
      fingerprint: fingerprint.fingerprint,
      components: fingerprint.components,
      title: fingerprint.title,
      bundled: decision.bundle,
      suppressedSinceLast: decision.suppressedSinceLast,
    });
    if (!decision.bundle) return { status: 'suppressed', fingerprint: fingerprint.fingerprint, suppressedSinceLast: decision.suppressedSinceLast };
    if (!this.options.bundlesEnabled) return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle: null, queued: false };
    // Without a DSN nothing is sent, so nothing is held back: every admitted incident gets its local bundle.
    let carried = null;
    if (this.options.uploads.enabled) {
      const budget = await this.options.budget.admit({ fingerprint: fingerprint.fingerprint, kind: incident.kind, level: sentryLevelFor(incident) });
      if (!budget.send) {
        reporter.log('info', `incident held back by the delivery budget (${budget.reason})`, { fingerprint: fingerprint.fingerprint, heldBack: budget.pending.total });
        return { status: 'held-back', fingerprint: fingerprint.fingerprint, reason: budget.reason, heldBack: budget.pending.total };
      }
      carried = budget.carried;
    }

    let bundle: BundleEvent;
    try {
      bundle = await this.options.bundles.write(incident, fingerprint, decision.suppressedSinceLast);
      reporter.log('info', 'bundle written', { path: bundle.path, bytes: bundle.bytes, fingerprint: bundle.fingerprint });
    } catch (error) {
      reporter.fault('bundle', error);
      return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle: null, queued: false, error: oneLine(error) };
    }
    events.emit('bundle', bundle);
    let queued = false;
    try {
      queued = await this.options.uploads.enqueue(bundle.path, bundle.fingerprint, carried);
    } catch (error) {
      reporter.fault('upload', error);
    }
    return { status: 'recorded', fingerprint: fingerprint.fingerprint, bundle, queued };
  }

  /** The incident schema (and the schema library) load with the first incident, not at start-up. */
  private load(): Promise<typeof parseIncident> {
    this.loading ??= Promise.all([import('../incidents/parse.js'), this.options.ready()]).then(([{ parseIncident }]) => (this.parse = parseIncident));
    return this.loading;
  }
}
