export { StateStore, DEFAULT_STATE_DEBOUNCE_MS } from './store.js';
export type { StateStoreOptions, StateStoreMode, StateLoadReport } from './store.js';
export { loadStateReadOnly, type StateReadResult } from './read-only.js';
export { migrateStateFile, type StateMigration } from './migrate-file.js';
export { defaultState } from './defaults.js';
export { decodeState, encodeState } from './decode.js';
export { migrateToCurrent, detectVersion } from './migrations.js';
export { summarizeStartup, percentile, type StartupSummary } from './startup-metrics.js';
export { backupPathFor, corruptPathFor } from './files.js';
export { INCIDENT_COUNTER_LIMIT } from './mutations.js';
export {
  CURRENT_STATE_VERSION,
  STARTUP_HISTORY_LIMIT,
  stateV1Schema,
  stateV2Schema,
  stateV3Schema,
  stateV4Schema,
  currentStateSchema,
  SESSION_STATUSES,
  type State,
  type StateV1,
  type StateV2,
  type StateV3,
  type StateV4,
  type SessionRecord,
  type IncidentCounter,
  type LaunchRecord,
} from './schemas.js';
