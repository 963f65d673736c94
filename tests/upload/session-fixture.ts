import type { SessionState } from '../../src/upload/session-update.js';

/** A run's session as release health starts it: fixed ids, no errors yet, status ok. */
export function okSession(startedAtMs: number): SessionState {
  return {
    sid: '5d2c1b9e-8f0a-4c7e-9b1d-2a3f4e5d6c7b',
    did: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
    seq: 0,
    startedAtMs,
    release: 'Codex@1.2.3',
    environment: 'production',
    errors: 0,
    status: 'ok',
  };
}
