import { normaliseExitCode, normaliseSignal, type NormalisedExitCode } from './exit-codes.js';
import type { Incident } from './schema.js';

/**
 * The exit code of an incident in one notation, for tags (`diag.exit_code`) and severity:
 * read as a signal for crashes, as a launch error for launch-failed, a sidecar's signal first.
 * Unlike the fingerprint, this reports the code whatever the reason.
 */
export function incidentExitCode(incident: Incident): NormalisedExitCode | undefined {
  switch (incident.kind) {
    case 'render-process-gone':
    case 'child-process-gone': {
      const reading = incident.reason === 'crashed' ? 'crash' : incident.reason === 'launch-failed' ? 'launch' : 'exit-status';
      return normaliseExitCode(incident.exitCode, reading);
    }
    case 'sidecar-exit': {
      const signal = normaliseSignal(incident.signal);
      return signal ? { canonical: signal, label: signal } : normaliseExitCode(incident.exitCode, 'exit-status');
    }
    default:
      return undefined;
  }
}
