import { DiagError, isDiagError } from '../errors.js';
import { resolveDsnWithSource, type DsnSource } from '../paths.js';
import { parseDsn, type ParsedDsn } from '../upload/dsn.js';

/** How a message names where a DSN was set. */
function describeSource(source: DsnSource): string {
  return source === '--dsn' ? '--dsn' : `$${source} (from the environment)`;
}

/**
 * The DSN from --dsn, then $CODEX_DIAG_DSN, then $SENTRY_DSN, validated; undefined when none is set.
 * A malformed one is BAD_DSN (exit 2) naming the setting it came from, so a stale variable in a
 * shell profile is found without guessing; the key is never shown.
 */
export function dsnSetting(option: string | undefined, env: NodeJS.ProcessEnv): ParsedDsn | undefined {
  const resolved = resolveDsnWithSource(option, env);
  if (resolved === undefined) return undefined;
  try {
    return parseDsn(resolved.dsn);
  } catch (error) {
    if (isDiagError(error) && error.code === 'BAD_DSN') {
      throw new DiagError('BAD_DSN', `${describeSource(resolved.source)}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
