import { decodeState } from './decode.js';
import { defaultState } from './defaults.js';
import { readStateBytes } from './files.js';
import { CURRENT_STATE_VERSION, type State } from './schemas.js';

export interface StateReadResult {
  path: string;
  /** False when there is no state file (the state is then the defaults). */
  exists: boolean;
  /** The state, migrated in memory to the current version. */
  state: State;
  /** The version on disk (1 for a file without `version`), null when there is no file. */
  fromVersion: number | null;
  /** True when the file on disk is older than the current version (`state migrate` would rewrite it). */
  migrated: boolean;
}

/**
 * Reads the state file without ever writing, renaming or locking anything (what `state show` and
 * the bundle exporter use). Throws DiagError: STATE_CORRUPT, STATE_FROM_NEWER_VERSION, or IO.
 */
export async function loadStateReadOnly(file: string): Promise<StateReadResult> {
  const bytes = await readStateBytes(file);
  if (bytes === undefined) {
    return { path: file, exists: false, state: defaultState(), fromVersion: null, migrated: false };
  }
  const { state, from } = decodeState(bytes, file);
  return { path: file, exists: true, state, fromVersion: from, migrated: from < CURRENT_STATE_VERSION };
}
