import type { Clock } from '../clock.js';
import { reportSafely } from '../safe-call.js';
import { rankStacks } from './unresponsive-stacks.js';
import type { StackCount } from './unresponsive-stacks.js';

export interface UnresponsiveOptions {
  /** A hang shorter than this is not an incident. */
  graceMs: number;
  /** How often to sample the renderer's JavaScript stack while it hangs. */
  sampleIntervalMs: number;
  /** Sampling stops, and the incident is reported, this long after the hang began at the latest. */
  maxSampleMs: number;
  /** A sample that has not answered by then is abandoned (it never resolves when no JS runs). */
  sampleTimeoutMs: number;
  /** How many distinct stacks to attach. */
  topStacks: number;
}

export const defaultUnresponsiveOptions: UnresponsiveOptions = {
  graceMs: 3_000,
  sampleIntervalMs: 1_000,
  maxSampleMs: 15_000,
  sampleTimeoutMs: 1_000,
  topStacks: 3,
};

export interface UnresponsiveReport {
  startedAt: number;
  durationMs: number;
  /** True when the renderer was still unresponsive when the report was made. */
  ongoing: boolean;
  samples: number;
  /** The most frequent stack, when any sample answered. */
  stack?: string;
  stacks?: StackCount[];
}

/** Electron's `webContents.mainFrame.collectJavaScriptCallStack` where it exists (experimental). */
export type CollectStack = () => Promise<string | void | undefined>;

export interface UnresponsiveMonitorOptions {
  clock: Clock;
  options: UnresponsiveOptions;
  collectStack?: CollectStack | undefined;
  onHang: (report: UnresponsiveReport) => void;
  onFault?: (error: unknown) => void;
}

interface Episode {
  startedAt: number;
  samples: string[];
  sampleInFlight: boolean;
  sampleTimer: unknown;
  sampleTimeout: unknown;
  deadlineTimer: unknown;
  reported: boolean;
}

/**
 * Turns Electron's `unresponsive`/`responsive` pair into one incident per hang: reported when
 * the renderer recovers or when `maxSampleMs` has passed (whichever first), only if it lasted
 * `graceMs`; while it hangs, the JS stack is sampled about every second when Electron can.
 */
export class UnresponsiveMonitor {
  private episode: Episode | undefined;

  constructor(private readonly deps: UnresponsiveMonitorOptions) {}

  get hanging(): boolean {
    return this.episode !== undefined && !this.episode.reported;
  }

  unresponsive(): void {
    if (this.episode) return; // Electron repeats `unresponsive` while a hang lasts.
    const { clock, options } = this.deps;
    const episode: Episode = {
      startedAt: clock.now(),
      samples: [],
      sampleInFlight: false,
      sampleTimer: undefined,
      sampleTimeout: undefined,
      deadlineTimer: undefined,
      reported: false,
    };
    this.episode = episode;
    episode.deadlineTimer = clock.setTimeout(() => this.finish(episode, true), options.maxSampleMs);
    if (this.deps.collectStack) this.sample(episode);
  }

  /** The renderer answers again (or went away): report the hang if it lasted the grace period. */
  responsive(): void {
    const episode = this.episode;
    if (!episode) return;
    this.finish(episode, false);
    this.episode = undefined;
  }

  dispose(): void {
    const episode = this.episode;
    if (episode) this.stopTimers(episode);
    this.episode = undefined;
  }

  private sample(episode: Episode): void {
    const { clock, options, collectStack } = this.deps;
    if (!collectStack || episode.reported || this.episode !== episode) return;
    episode.sampleTimer = clock.setTimeout(() => this.sample(episode), options.sampleIntervalMs);
    if (episode.sampleInFlight) return; // never stack up calls into a renderer that does not answer
    episode.sampleInFlight = true;
    let settled = false;
    // A sample that answers after its timeout must not clear the flag of a newer one.
    const done = () => {
      if (settled) return;
      settled = true;
      episode.sampleInFlight = false;
      clock.clearTimeout(timeout);
    };
    const timeout = clock.setTimeout(done, options.sampleTimeoutMs);
    episode.sampleTimeout = timeout;
    let pending: Promise<string | void | undefined>;
    try {
      pending = Promise.resolve(collectStack());
    } catch (error) {
      done();
      this.fault(error);
      return;
    }
    pending.then(
      (stack) => {
        if (typeof stack === 'string' && !settled && !episode.reported) episode.samples.push(stack);
        done();
      },
      (error: unknown) => {
        done();
        this.fault(error);
      },
    );
  }

  private finish(episode: Episode, ongoing: boolean): void {
    if (episode.reported) return;
    episode.reported = true;
    this.stopTimers(episode);
    const { clock, options } = this.deps;
    const durationMs = Math.max(0, clock.now() - episode.startedAt);
    if (durationMs < options.graceMs) return;
    const report: UnresponsiveReport = { startedAt: episode.startedAt, durationMs, ongoing, samples: episode.samples.length };
    const stacks = rankStacks(episode.samples, options.topStacks);
    if (stacks.length > 0) {
      report.stack = stacks[0]!.stack;
      report.stacks = stacks;
    }
    try {
      this.deps.onHang(report);
    } catch (error) {
      this.fault(error);
    }
  }

  private stopTimers(episode: Episode): void {
    this.deps.clock.clearTimeout(episode.sampleTimer);
    this.deps.clock.clearTimeout(episode.sampleTimeout);
    this.deps.clock.clearTimeout(episode.deadlineTimer);
  }

  private fault(error: unknown): void {
    reportSafely(this.deps.onFault, error);
  }
}
