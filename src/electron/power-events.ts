import type { ElectronPort } from '../diagnostics/electron-port.js';
import type { ListenerSet } from './listeners.js';

/** Electron's `powerMonitor`, as far as the watchdog needs it. */
export interface PowerEventSource {
  on(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  off(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
}

/** Heartbeat silence does not count while the machine sleeps or the screen is locked. */
export function watchPower(powerMonitor: PowerEventSource, port: ElectronPort, listeners: ListenerSet): void {
  listeners.on(powerMonitor, 'suspend', () => port.pauseHeartbeats('suspend'));
  listeners.on(powerMonitor, 'resume', () => port.resumeHeartbeats('suspend'));
  listeners.on(powerMonitor, 'lock-screen', () => port.pauseHeartbeats('lock-screen'));
  listeners.on(powerMonitor, 'unlock-screen', () => port.resumeHeartbeats('lock-screen'));
}
