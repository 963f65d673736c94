export { createDiagnostics } from './create-diagnostics.js';
export type { DiagnosticsOptions } from './options.js';
export type {
  BundleEvent,
  CloseResult,
  Diagnostics,
  DiagnosticsEventName,
  DiagnosticsEvents,
  DiagnosticsMetrics,
  FaultReport,
  IncidentEvent,
  IncidentOutcome,
  UploadEvent,
} from './types.js';
export { isLosslessMessage, LAGGED_CHANNEL, DiagChannel, type SendOptions } from '../runtime/delivery-classify.js';
export type { DeliveryStats, SendResult, DeliverFn } from '../runtime/delivery-types.js';
export type { CrashDumpStats } from '../minidump/native-crash-ledger.js';
