/**
 * pino `redact` paths for keys that hold secrets. pino's path syntax has no recursive wildcard
 * (`*.password` matches one level only), so each key is listed at depths 0..REDACT_DEPTH.
 */
export const SECRET_KEYS: readonly string[] = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'Proxy-Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-api-key',
  'X-Api-Key',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'sessionToken',
  'session_token',
  'apiKey',
  'api_key',
  'apikey',
  'privateKey',
  'private_key',
  'credentials',
  'credential',
];

/** How deep below the record a secret key is still found (0 = top-level field). */
export const REDACT_DEPTH = 4;

/** The censor pino writes in place of a secret value. */
export const REDACT_CENSOR = '[Redacted]';

const plainKey = /^[A-Za-z_$][\w$]*$/;

/** Paths for pino's `redact.paths`: every key at every depth up to `depth`. */
export function secretRedactPaths(keys: readonly string[] = SECRET_KEYS, depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const segment = plainKey.test(key) ? key : `["${key}"]`;
    for (let level = 0; level <= depth; level++) {
      const prefix = '*.'.repeat(level);
      if (segment.startsWith('[')) paths.push(level === 0 ? segment : `${prefix.slice(0, -1)}${segment}`);
      else paths.push(`${prefix}${segment}`);
    }
  }
  return paths;
}
