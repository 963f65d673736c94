import { CURRENT_STATE_VERSION, currentStateSchema, type State } from './schemas.js';

/** A fresh state: what a first launch, or a launch after a corrupt file was moved aside, starts from. */
export function defaultState(): State {
  return currentStateSchema.parse({ version: CURRENT_STATE_VERSION });
}
