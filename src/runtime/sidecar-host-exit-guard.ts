/**
 * Kills the process trees of live sidecars synchronously when the host process exits without
 * stopping them (no event loop is left then, so only a synchronous kill can work).
 *
 * One guard holds ONE `exit` listener for every sidecar it tracks, added while at least one is
 * tracked and removed when none is: a listener per sidecar would trip Node's
 * MaxListenersExceededWarning past ten sidecars and scatter process-global state across
 * instances. The owner (the Diagnostics service) creates one guard and hands it to every
 * supervisor it starts; a standalone supervisor creates its own.
 */
import { killProcessTreeSync } from './process-tree.js';

/** The part of `process` the guard touches (injectable so tests need not exit a real host). */
export interface HostExitEmitter {
  on(event: 'exit', listener: () => void): unknown;
  off(event: 'exit', listener: () => void): unknown;
}

export interface HostExitGuardOptions {
  host?: HostExitEmitter;
  /** Default killProcessTreeSync. */
  killTreeSync?: (pid: number, platform: NodeJS.Platform) => void;
}

interface Tracked {
  pid: number;
  platform: NodeJS.Platform;
}

export class HostExitGuard {
  private readonly host: HostExitEmitter;
  private readonly killTreeSync: (pid: number, platform: NodeJS.Platform) => void;
  private readonly tracked = new Set<Tracked>();
  private readonly onHostExit = (): void => this.killAll();
  private listening = false;

  constructor(options: HostExitGuardOptions = {}) {
    this.host = options.host ?? process;
    this.killTreeSync = options.killTreeSync ?? killProcessTreeSync;
  }

  /** How many sidecar trees the guard would kill right now. */
  get size(): number {
    return this.tracked.size;
  }

  /** Whether the guard's `exit` listener is currently registered. */
  get isListening(): boolean {
    return this.listening;
  }

  /**
   * Tracks the tree rooted at `pid` until the returned release function is called (idempotent).
   * The first tracked tree registers the listener; releasing the last one removes it.
   */
  track(pid: number, platform: NodeJS.Platform = process.platform): () => void {
    const entry: Tracked = { pid, platform };
    this.tracked.add(entry);
    if (!this.listening) {
      this.host.on('exit', this.onHostExit);
      this.listening = true;
    }
    return () => {
      if (!this.tracked.delete(entry)) return;
      if (this.tracked.size === 0 && this.listening) {
        this.host.off('exit', this.onHostExit);
        this.listening = false;
      }
    };
  }

  private killAll(): void {
    for (const { pid, platform } of [...this.tracked]) {
      try {
        this.killTreeSync(pid, platform);
      } catch {
        // The host is exiting: one failed kill must not keep the others from running.
      }
    }
  }
}
