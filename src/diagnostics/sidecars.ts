import type { Clock } from '../clock.js';
import { oneLine } from '../errors.js';
import { HostExitGuard } from '../runtime/sidecar-host-exit-guard.js';
import { SidecarSupervisor } from '../runtime/sidecar-supervisor.js';
import type { SidecarEvent, SidecarHandle, SidecarStartOptions } from '../runtime/sidecar-types.js';
import type { ServiceReporter } from './service-reporter.js';
import type { StateUpdates } from './state-link.js';

export interface ServiceSidecarsOptions {
  clock: Clock;
  random?: () => number;
  state: StateUpdates;
  reporter: ServiceReporter;
  onEvent: (event: SidecarEvent) => void;
  onIncident: (incident: unknown) => void;
}

/** The sidecars the service supervises: started by `startSidecar`, stopped by `close`. */
export class ServiceSidecars {
  private readonly supervisors = new Set<SidecarSupervisor>();
  /** One host `exit` listener for all sidecars, not one each (ten would trip MaxListenersExceededWarning). */
  private readonly hostExitGuard = new HostExitGuard();

  constructor(private readonly options: ServiceSidecarsOptions) {}

  /** Never throws: a malformed spec is a counted drop and an inert handle. */
  start(spec: SidecarStartOptions): SidecarHandle {
    try {
      return this.supervise(spec);
    } catch (error) {
      this.options.reporter.malformed('sidecar', `sidecar not started: ${oneLine(error)}`);
      return inertSidecarHandle();
    }
  }

  /** Stops every sidecar, SIGKILL after `graceMs`. */
  stopAll(graceMs: number): Promise<unknown>[] {
    return [...this.supervisors].map((s) => s.stop({ graceMs }));
  }

  private supervise(spec: SidecarStartOptions): SidecarHandle {
    if (typeof spec !== 'object' || spec === null) throw new TypeError('startSidecar: expected an options object {command, args, env, cwd, restart}');
    const { reporter, clock } = this.options;
    let lastExitReason: string | null = null;
    const supervisor = new SidecarSupervisor({
      clock,
      ...(this.options.random ? { random: this.options.random } : {}),
      hostExitGuard: this.hostExitGuard,
      onEvent: (event) => {
        if (event.type === 'exit') lastExitReason = event.reason;
        if (event.type === 'restart') {
          const reason = lastExitReason; // as it is now, not when a held change is applied
          this.options.state.change('state', (store) => store.recordSidecarRestart(event.at, reason));
        }
        reporter.log(event.type === 'start' ? 'info' : 'warn', `sidecar ${event.type}`, { ...event });
        this.options.onEvent(event);
      },
      onLogLine: (line) => reporter.log('info', line.text, { source: 'sidecar', stream: line.stream, pid: line.pid }),
      onIncident: (incident) => this.options.onIncident(incident),
      onError: (error) => reporter.fault('sidecar', error),
    });
    const handle = supervisor.start(spec);
    this.supervisors.add(supervisor);
    return handle;
  }
}

/** What startSidecar returns when it did not start anything (after close, or a malformed spec). */
export function inertSidecarHandle(): SidecarHandle {
  return { pid: undefined, state: 'stopped', child: undefined, stop: () => Promise.resolve(), resume: () => false };
}
