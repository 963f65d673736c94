import type { CrashReporterStartOptions } from 'electron';
import type { ElectronPort } from '../diagnostics/electron-port.js';

/** Electron's `crashReporter`. */
export interface CrashReporterLike {
  start(options: CrashReporterStartOptions): void;
}

/**
 * Starts Crashpad so renderer, GPU, utility and main-process crashes leave minidumps in
 * `app.getPath('crashDumps')`. Never uploads by itself: codex-diag scrubs each dump and sends it
 * with its own event.
 */
export function startCrashReporter(reporter: CrashReporterLike, options: Partial<CrashReporterStartOptions>, port: ElectronPort): void {
  try {
    reporter.start({ ...options, uploadToServer: false });
  } catch (error) {
    port.reportFault('electron:crashReporter', error);
  }
}
