/** Incidents: schemas, capture policy, fingerprint (fp1), Sentry level, crash-loop limiter, journal. */
export {
  Incident,
  INCIDENT_KINDS,
  RenderProcessGoneIncident,
  UnresponsiveIncident,
  DidFailLoadIncident,
  ChildProcessGoneIncident,
  SidecarExitIncident,
  SampledStack,
  ExitCodeValue,
  type IncidentKind,
} from './schema.js';
export { parseIncident, type ParseIncidentResult } from './parse.js';
export { shouldCapture, defaultCapturePolicy, type CapturePolicy } from './policy.js';
export {
  fingerprintIncident,
  shapeCommand,
  FINGERPRINT_VERSION,
  type FingerprintOptions,
  type FingerprintResult,
} from './fingerprint.js';
export { normaliseExitCode, normaliseSignal, type NormalisedExitCode, type ExitCodeReading } from './exit-codes.js';
export { incidentExitCode } from './incident-exit-code.js';
export { sentryLevelFor, type SentryLevel } from './sentry-level.js';
export {
  CrashLoopLimiter,
  DEFAULT_CRASH_LOOP_WINDOW_MS,
  type AdmitDecision,
  type CrashLoopLimiterOptions,
} from './crash-loop-limiter.js';
export {
  IncidentJournal,
  parseJournalText,
  type IncidentJournalOptions,
  type JournalReadResult,
  type JournalRecord,
} from './journal.js';
export { readIncidents, type IncidentReadItem } from './read-incidents.js';
