/**
 * What the logger posts to its worker thread to end the log: the worker closes its file and exits,
 * and the caller learns of it from the worker's exit instead of waiting for it (see roll-target.cjs).
 */
export const LOG_END_MESSAGE = { code: 'codex-diag:end-log' } as const;
