/**
 * Decides whether a JSON key or a `KEY=value` name names a secret, by its words.
 *
 * Words, not substrings: `author` is not `auth`, `tokenizer` is not `token`. A plural
 * `tokens` or a trailing word that describes the secret rather than holding it
 * (`token_count`, `auth_type`, `token_url`, `password-store`) is not a secret: token counts such as
 * `input_tokens: 1234` and Chromium switches such as `--password-store=basic` must survive.
 *
 * Strong keys (password, secret, token, ...) hide any value. Weak keys (`key`, `*_KEY`, `pass`,
 * `pwd`, `pat`, `api`, `creds`) name a secret often but not always (`"key":"Enter"`, `PWD=/home/x`,
 * `primaryKey`): their value goes only when it does not read as a word, number, path or URL
 * (token-shape.ts `weakValueKept`).
 */
import { boundedMemo } from './bounded-memo.js';
import { isJsSpace } from './js-space.js';
import { weakValueKept } from './token-shape.js';

/** Which rule a secret key's value is counted under. */
export type SecretKeyRule = 'auth_header' | 'secret_field';

const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'pword',
  'secretkey',
  'secretaccesskey',
  'accesskey',
  'privkey',
  'masterkey',
  'signingkey',
  'encryptionkey',
  'clientsecret',
  'apitoken',
  'idtoken',
  'csrftoken',
  'xsrftoken',
  'sessionkey',
  'connectionstring',
  'sas',
  'saskey',
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

/** Word pairs that name a secret together (`api_key`, `private-key`, `apiKey`, `X-JFrog-Art-Api`). */
const SECRET_PAIRS = [
  ['api', 'key'],
  ['private', 'key'],
  ['secret', 'key'],
  ['access', 'key'],
  ['account', 'key'],
  ['shared', 'key'],
  ['client', 'key'],
  ['signing', 'key'],
  ['master', 'key'],
  ['encryption', 'key'],
  ['session', 'key'],
  ['art', 'api'],
  ['subscription', 'key'],
  ['functions', 'key'],
  ['license', 'key'],
  ['pass', 'phrase'],
  ['client', 'secret'],
  ['code', 'verifier'],
  ['oauth', 'verifier'],
  ['device', 'code'],
];

/** Words that name a secret often but not always: their value goes only when it looks like one. */
const WEAK_WORDS = new Set(['key', 'pass', 'pwd', 'pat', 'creds', 'api', 'apikeys', 'keys', 'passcode', 'pin', 'salt', 'dsn']);

/** Words a trailing secret word is glued to (`PGPASSWORD`, `MYSQL_PWD`, `bottoken`). */
const SECRET_WORD_ENDINGS = ['password', 'passwd', 'secret', 'token', 'apikey'];

/** A word before `key` that makes it a name, not a secret (`sortKey`, `cache_key`, `primaryKey`). */
const NON_SECRET_KEY_KINDS = new Set([
  'cache', 'sort', 'partition', 'primary', 'foreign', 'idempotency', 'routing', 'storage', 'translation',
  'i18n', 'event', 'shortcut', 'modifier', 'query', 'lookup', 'map', 'dict', 'object', 'row', 'column',
  'index', 'unique', 'composite', 'react', 'list', 'item', 'config', 'setting', 'settings', 'pref',
  'prefs', 'preference', 'registry', 'group', 'hot', 'keyboard', 'dedupe', 'dedup', 'grouping', 'hash',
  'public', 'pub', 'entry', 'field', 'state', 'message', 'local', 'menu', 'route', 'telemetry', 'metric',
  'feature', 'flag', 'experiment', 'cursor', 'page', 'file', 'path', 'bundle', 'locale', 'layout', 'the',
]);

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
  'paths',
  'store',
  'storage',
  'allowlist',
  'whitelist',
  'blocklist',
  'blacklist',
  'denylist',
  'server',
  'servers',
  'schemes',
  'delegate',
  'policy',
  'prompt',
  'dialog',
  'manager',
  'helper',
  'changed',
  'reset',
  'hint',
  'hints',
  'strength',
  'rules',
  'format',
  'location',
  'dir',
  'directory',
  'source',
  'label',
  'field',
  'fields',
  'timeout',
  'attempts',
  'retries',
  'rotation',
  'refresh',
  'refreshed',
  'exchange',
  'validation',
  'valid',
  'invalid',
  'present',
  'missing',
  'set',
  'saved',
  'stored',
  'fingerprint',
  'algorithm',
  'alg',
  'bits',
  'index',
  'binding',
  'bindings',
  'codes',
  'event',
  'events',
  'press',
  'pressed',
  'down',
  'up',
  'map',
  'mapping',
  'ref',
]);

const HEADER_KEYS = new Set(['authorization', 'proxy authorization', 'cookie', 'set cookie']);

/**
 * Every key classifySecretKey accepts contains one of these (case-insensitively). Also the redactor's
 * trigger for key rules: a text without any of them holds no secret key.
 */
const SECRET_KEY_STEMS = ['pass', 'secret', 'token', 'auth', 'cred', 'cookie', 'session', 'key', 'bearer', 'jwt', 'pwd', 'pat', 'api', 'salt', 'dsn', 'pin', 'sas', 'pword', 'verifier', 'device'] as const;
export const MAYBE_SECRET = new RegExp(SECRET_KEY_STEMS.join('|'), 'i');

export interface SecretKey {
  /** The rule its value is counted under. */
  rule: SecretKeyRule;
  /** A weak key hides its value only when the value looks like a secret. */
  weak: boolean;
}

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

const classified = (rule: SecretKeyRule, weak: boolean): SecretKey => ({ rule, weak });

/** Whether a key names a secret, and how strongly; null when it does not. */
export function classifySecretKey(key: string): SecretKey | null {
  if (key.length > 200 || !MAYBE_SECRET.test(key)) return null;
  const words = keyWords(key);
  if (words.length === 0) return null;
  if (HEADER_KEYS.has(words.join(' '))) return classified('auth_header', false);
  // A trailing number or environment name does not change what the key holds (`TOKEN_2`, `DB_PASSWORD_PROD`).
  while (words.length > 1 && /^(?:\d+|v\d+|prod|production|dev|staging|test|old|new|current|next|previous|primary|secondary|b64|base64|hex|raw|value|enc|encoded)$/.test(words[words.length - 1]!)) words.pop();
  const last = words[words.length - 1] as string;
  if (DESCRIPTIVE_SUFFIXES.has(last)) return null;
  // `AWS_ACCESS_KEY_ID`, `keyId`: the id of a key, not the key.
  if ((last === 'id' || last === 'ids') && words[words.length - 2]?.startsWith('key')) return null;
  let weak = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (next !== undefined && SECRET_PAIRS.some(([a, b]) => w === a && next === b)) return classified('secret_field', false);
    if (SECRET_WORDS.has(w)) return classified('secret_field', false);
    if (SECRET_WORD_ENDINGS.some((e) => w.length > e.length && w.endsWith(e) && w.length <= e.length + 8)) return classified('secret_field', false);
    if (w === 'key' || w === 'keys') {
      const before = words[i - 1];
      if (before !== undefined && NON_SECRET_KEY_KINDS.has(before)) continue;
      weak = true;
    } else if (WEAK_WORDS.has(w) || w.endsWith('pwd')) {
      weak = true;
    }
  }
  return weak ? classified('secret_field', true) : null;
}

const VERDICT_CACHE_LIMIT = 4096;
const CACHED_VALUE_LENGTH = 64;
const CACHED_WORD_LENGTH = 128;

/** The gate of the key rules: whether a text may hold a value under a secret key. */
export interface SecretKeyGate {
  (text: string): boolean;
  /** The stems of MAYBE_SECRET, lower case: every word the gate opens on holds one (in any case). */
  readonly stems: readonly string[];
  /**
   * For a stem found at `at`: whether the word of key characters around it opens the gate, and where
   * that word ends (a word is judged once, however many stems it holds).
   */
  wordAt(text: string, at: number): { opens: boolean; end: number };
}

/**
 * Whether the text may hold a value under a secret key: cheap enough to run on every log line before
 * anything else. Each MAYBE_SECRET hit is widened to its word and classified (cached): a strong key
 * anywhere counts; a weak key only with a separator after it and a value that reads as a secret;
 * `auth:status` (an unquoted name glued to a word) does not. Words that merely contain a hit
 * (`path`, `input_tokens`, `backend-api/`) do not. A superset of what the secret_field rule changes.
 */
export function createSecretKeyGate(): SecretKeyGate {
  // Log lines repeat the same few words, and the values after weak keys (`auth:status`,
  // `"key":"Enter"`): each is classified once.
  const cachedVerdict = boundedMemo(classifySecretKey, VERDICT_CACHE_LIMIT, CACHED_WORD_LENGTH);
  const keptValue = boundedMemo(weakValueKept, VERDICT_CACHE_LIMIT, CACHED_VALUE_LENGTH);
  const MAYBE_SECRET_ALL = new RegExp(MAYBE_SECRET.source, 'gi');
  const wordAt = (text: string, at: number) => secretKeyWordAt(text, at, cachedVerdict, keptValue);
  const gate = (text: string): boolean => {
    if (!MAYBE_SECRET.test(text)) return false;
    MAYBE_SECRET_ALL.lastIndex = 0;
    for (let m = MAYBE_SECRET_ALL.exec(text); m !== null; m = MAYBE_SECRET_ALL.exec(text)) {
      const word = wordAt(text, m.index);
      if (word.opens) return true;
      MAYBE_SECRET_ALL.lastIndex = word.end;
    }
    return false;
  };
  return Object.assign(gate, { stems: SECRET_KEY_STEMS, wordAt });
}

function secretKeyWordAt(
  text: string,
  at: number,
  cachedVerdict: (word: string) => SecretKey | null,
  keptValue: (value: string) => boolean,
): { opens: boolean; end: number } {
  let start = at;
  let end = at + 1;
  while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) start--;
  while (end < text.length && isKeyChar(text.charCodeAt(end))) end++;
  const secret = cachedVerdict(text.slice(start, end));
  if (secret === null) return { opens: false, end };
  const before = start > 0 ? text[start - 1] : '';
  let i = end;
  while (i < text.length && i - end < 8 && (text[i] === '"' || text[i] === "'" || text[i] === '\\')) i++;
  const quoted = i > end;
  const separator = text[i];
  const glued = !quoted && separator === ':' && i + 1 < text.length && !isQuoteOrSpace(text.charCodeAt(i + 1));
  if (!secret.weak && !glued) return { opens: true, end };
  if (separator !== ':' && separator !== '=' && before !== '-') return { opens: false, end };
  let v = i + 1;
  while (v < text.length && v - i < 8 && isValueLead(text.charCodeAt(v))) v++;
  if (text[v] === '{' || text[v] === '[') return { opens: false, end };
  let e = v;
  while (e < text.length && e - v < 256 && !isValueEnd(text.charCodeAt(e))) e++;
  return { opens: !keptValue(text.slice(v, e)), end };
}

// Character tests by code, not one regex call per character: they run on every weak key a log line holds.

/** `[\s"'\\]` */
function isQuoteOrSpace(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === 0x5c || isJsSpace(c);
}

/** What may stand between a separator and its value: `[\s"'\\>=]`. */
function isValueLead(c: number): boolean {
  return c === 0x3e || c === 0x3d || isQuoteOrSpace(c);
}

/** Where a weak key's value ends: `[\s"',;&<>{}[\]\\]`. */
function isValueEnd(c: number): boolean {
  return c === 0x2c || c === 0x3b || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || isQuoteOrSpace(c);
}

/** KEY_CHAR as a char-code test: [A-Za-z0-9_.-]. */
function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** The rule a key's value falls under, or null when the key does not name a secret. */
export function secretKeyRule(key: string): SecretKeyRule | null {
  return classifySecretKey(key)?.rule ?? null;
}
