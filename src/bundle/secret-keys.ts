/**
 * Decides whether a JSON key or a `KEY=value` name names a secret, by its words.
 *
 * Words, not substrings: `author` is not `auth`, `tokenizer` is not `token`. A plural
 * `tokens` or a trailing word that describes the secret rather than holding it
 * (`token_count`, `auth_type`, `token_url`) is not a secret: token counts such as
 * `input_tokens: 1234` and `max_tokens` must survive.
 */

/** Which rule a secret key's value is counted under. */
export type SecretKeyRule = 'auth_header' | 'secret_field';

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'session',
  'sessionid',
  'sessiontoken',
  'apikey',
  'privatekey',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'bearer',
  'jwt',
]);

/** Word pairs that name a secret together (`api_key`, `private-key`, `apiKey`). */
const SECRET_PAIRS = [
  ['api', 'key'],
  ['private', 'key'],
];

/** A last word that makes the key describe a secret instead of holding one. */
const DESCRIPTIVE_SUFFIXES = new Set([
  'type',
  'kind',
  'method',
  'mode',
  'scheme',
  'count',
  'counts',
  'limit',
  'limits',
  'length',
  'len',
  'size',
  'usage',
  'required',
  'enabled',
  'disabled',
  'expires',
  'expiry',
  'expired',
  'ttl',
  'status',
  'url',
  'uri',
  'endpoint',
  'provider',
  'error',
  'version',
  'name',
  'file',
  'path',
]);

const HEADER_KEYS = new Set(['authorization', 'proxy authorization', 'cookie', 'set cookie']);

/**
 * Every key secretKeyRule accepts contains one of these (case-insensitively). Also the redactor's
 * trigger for key rules: a text without any of them holds no secret key.
 */
export const MAYBE_SECRET = /pass|secret|token|auth|cred|cookie|session|key|bearer|jwt/i;

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** The rule a key's value falls under, or null when the key does not name a secret. */
export function secretKeyRule(key: string): SecretKeyRule | null {
  if (key.length > 200 || !MAYBE_SECRET.test(key)) return null;
  const words = keyWords(key);
  if (words.length === 0) return null;
  if (HEADER_KEYS.has(words.join(' '))) return 'auth_header';
  const last = words[words.length - 1] as string;
  if (DESCRIPTIVE_SUFFIXES.has(last)) return null;
  if (words.some((w) => SECRET_WORDS.has(w))) return 'secret_field';
  for (let i = 0; i + 1 < words.length; i++) {
    if (SECRET_PAIRS.some(([a, b]) => words[i] === a && words[i + 1] === b)) return 'secret_field';
  }
  return null;
}
