import { exitCodeInteger, normaliseSignal } from './exit-codes.js';
import type { Incident, IncidentKind } from './schema.js';

/** What becomes an incident (and so a journal record, maybe a bundle). */
export interface CapturePolicy {
  /** Kinds never captured. */
  ignoreKinds: readonly IncidentKind[];
  /** render-process-gone / child-process-gone reasons never captured. */
  ignoreReasons: readonly string[];
  /** did-fail-load of a sub-frame (an embed, an ad) is not the app failing. */
  didFailLoadMainFrameOnly: boolean;
  /** did-fail-load codes never captured: -3 (ERR_ABORTED) is a navigation replaced by another. */
  ignoreLoadErrorCodes: readonly number[];
  /** A sidecar that exits with code 0 and no signal exited cleanly, like `clean-exit`. */
  captureCleanSidecarExit: boolean;
}

export const defaultCapturePolicy: Readonly<CapturePolicy> = Object.freeze({
  ignoreKinds: [],
  ignoreReasons: ['clean-exit'],
  didFailLoadMainFrameOnly: true,
  ignoreLoadErrorCodes: [-3],
  captureCleanSidecarExit: false,
});

/** Whether an incident is worth recording under a policy (defaults merged with overrides). */
export function shouldCapture(incident: Incident, policy: Partial<CapturePolicy> = {}): boolean {
  const p: CapturePolicy = { ...defaultCapturePolicy, ...policy };
  if (p.ignoreKinds.includes(incident.kind)) return false;
  switch (incident.kind) {
    case 'render-process-gone':
    case 'child-process-gone':
      return !p.ignoreReasons.includes(incident.reason);
    case 'did-fail-load':
      if (p.didFailLoadMainFrameOnly && !incident.isMainFrame) return false;
      return !p.ignoreLoadErrorCodes.includes(incident.errorCode);
    case 'sidecar-exit': {
      const clean = exitCodeInteger(incident.exitCode) === 0 && normaliseSignal(incident.signal) === undefined;
      return !clean || p.captureCleanSidecarExit;
    }
    case 'unresponsive':
      return true;
  }
}
