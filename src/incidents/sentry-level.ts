import { CRASH_SIGNALS, isWindowsErrorStatus } from './exit-codes.js';
import { incidentExitCode } from './incident-exit-code.js';
import type { Incident } from './schema.js';

export type SentryLevel = 'fatal' | 'error' | 'warning';

const FATAL_REASONS: ReadonlySet<string> = new Set(['crashed', 'oom', 'launch-failed', 'integrity-failure']);
const WARNING_REASONS: ReadonlySet<string> = new Set(['abnormal-exit', 'killed', 'clean-exit', 'memory-eviction']);

/**
 * Sentry level (contract: Sentry): crashed/oom/launch-failed/integrity-failure
 * fatal; abnormal-exit/killed/unresponsive warning; did-fail-load error. Reasons a future
 * Electron adds are `error` until someone decides otherwise. A sidecar exit is fatal when the
 * sidecar crashed (a crash signal or a Windows error status), warning when it was stopped by a
 * signal or exited 0, and error for any other exit code (e.g. a Rust panic's 101): the app
 * restarts it, but the user lost their session.
 */
export function sentryLevelFor(incident: Incident): SentryLevel {
  switch (incident.kind) {
    case 'render-process-gone':
    case 'child-process-gone':
      if (FATAL_REASONS.has(incident.reason)) return 'fatal';
      if (WARNING_REASONS.has(incident.reason)) return 'warning';
      return 'error';
    case 'unresponsive':
      return 'warning';
    case 'did-fail-load':
      return 'error';
    case 'sidecar-exit': {
      const exit = incidentExitCode(incident);
      if (!exit) return 'error';
      if (CRASH_SIGNALS.has(exit.canonical) || isWindowsErrorStatus(exit)) return 'fatal';
      if (exit.canonical.startsWith('SIG') || exit.canonical.startsWith('signal') || exit.canonical === '0') return 'warning';
      return 'error';
    }
    default:
      return 'error';
  }
}
