import { DiagError, isDiagError } from '../errors.js';

/**
 * A log dir that does not exist means the app never logged there: "nothing found" (exit 3) for
 * every command that reads logs, not bad input. Returns the error to throw.
 */
export function noLogsWhenMissing(error: unknown, logDir: string): unknown {
  if (isDiagError(error) && error.code === 'NOT_FOUND') {
    return new DiagError('NO_LOGS', `no logs: ${logDir} does not exist (set --log-dir or CODEX_DIAG_LOG_DIR)`, { cause: error });
  }
  return error;
}
