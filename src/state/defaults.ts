import { CURRENT_STATE_VERSION, stateV3Schema, type State } from './schemas.js';

/** A fresh state: what a first launch, or a launch after a corrupt file was moved aside, starts from. */
export function defaultState(): State {
  return stateV3Schema.parse({ version: CURRENT_STATE_VERSION });
}
