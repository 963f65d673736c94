import { DiagError } from '../errors.js';

/** A DSN taken apart (the Sentry client computes the envelope endpoint from `dsn`). */
export interface ParsedDsn {
  /** The DSN as given (trimmed). */
  dsn: string;
  protocol: 'http' | 'https';
  publicKey: string;
  host: string;
  port: string;
  /** Path prefix before the project id, without slashes ('' for most DSNs). */
  path: string;
  projectId: string;
}

/**
 * Validates a DSN before anything is sent. Hand-written rather than @sentry/core's `makeDsn`
 * because that prints to the console on bad input and would load Sentry just to say "no".
 */
export function parseDsn(raw: string): ParsedDsn {
  const dsn = raw.trim();
  // The key is a credential: messages show the DSN with it masked.
  const shown = dsn.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
  const bad = (why: string) => new DiagError('BAD_DSN', `invalid Sentry DSN '${shown}': ${why} (expected https://<key>@<host>/<project id>)`);
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw bad('not a URL');
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') throw bad(`protocol must be http or https, got '${protocol}'`);
  if (!url.username || !/^\w+$/.test(url.username)) throw bad('missing public key before @');
  if (!url.hostname) throw bad('missing host');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const projectId = segments.pop();
  if (!projectId || !/^\d+$/.test(projectId)) throw bad('the path must end with a numeric project id');
  return {
    dsn,
    protocol,
    publicKey: url.username,
    host: url.hostname,
    port: url.port,
    path: segments.join('/'),
    projectId,
  };
}

/** The DSN with its key hidden, for messages. */
export function describeDsn(dsn: ParsedDsn): string {
  const port = dsn.port ? `:${dsn.port}` : '';
  return `${dsn.protocol}://***@${dsn.host}${port}/${dsn.path ? `${dsn.path}/` : ''}${dsn.projectId}`;
}
