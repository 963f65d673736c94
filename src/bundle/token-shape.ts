/**
 * What a random credential looks like, as opposed to the identifiers, hashes and words a log is made
 * of. Used by the generic rule (free-standing tokens) and by weak secret keys (`key`, `pwd`, `*_PAT`:
 * their value goes only when it looks like a secret).
 *
 * The way detect-secrets' high-entropy plugins and gitleaks' generic rule work: a character-class and
 * entropy gate. A random token of 20+ characters drawn from letters of both cases and digits has all
 * three classes, a Shannon entropy near log2 of its length, and changes class every one or two
 * characters; a camelCase identifier (`getUserById2FromCache`) changes class only at word starts.
 */

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The character classes of a token: upper case, lower case, digit (a mask of them says which it holds). */
export const UPPER = 1;
export const LOWER = 2;
export const DIGIT = 4;

/** UPPER, LOWER or DIGIT for an ASCII letter or digit, else 0. */
export function classOf(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return UPPER;
  if (c >= 0x61 && c <= 0x7a) return LOWER;
  if (c >= 0x30 && c <= 0x39) return DIGIT;
  return 0;
}

/**
 * Average length of the class runs a word splits into (`get|User|By|Id|2` → letters stay together
 * after a capital). Random tokens: about 1.5; identifiers and words: 3 and more.
 */
function averageChunk(text: string): number {
  let chunks = 0;
  let chars = 0;
  let previous = 0;
  for (let i = 0; i < text.length; i++) {
    const cls = classOf(text.charCodeAt(i));
    if (cls === 0) {
      previous = 0;
      continue;
    }
    chars++;
    // A capital followed by lower case is one chunk (`User`); any other class change starts a new one.
    const continues = cls === previous || (previous === UPPER && cls === LOWER && (i < 2 || classOf(text.charCodeAt(i - 2)) !== UPPER));
    if (!continues) chunks++;
    previous = cls;
  }
  return chunks === 0 ? Infinity : chars / chunks;
}

/** The classes text[start, end) holds, or'ed (the scan stops once it has all three). */
export function classesIn(text: string, start = 0, end = text.length): number {
  let mask = 0;
  for (let i = start; i < end && mask !== (UPPER | LOWER | DIGIT); i++) mask |= classOf(text.charCodeAt(i));
  return mask;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Minimum length of a free-standing token the generic rule judges. */
export const GENERIC_MIN_LENGTH = 20;

/**
 * A free-standing run of token characters that reads as a random credential: 20+ characters with
 * upper case, lower case and digits, entropy ≥ 3.5 bits per character, and short class runs. Hex
 * (hashes, SHAs, ids), UUIDs, numbers, words and camelCase identifiers fail the gate.
 */
export function isRandomToken(token: string): boolean {
  if (token.length < GENERIC_MIN_LENGTH) return false;
  if (classesIn(token) !== (UPPER | LOWER | DIGIT)) return false;
  if (UUID.test(token)) return false;
  // Either test alone passes most random tokens; an identifier fails both.
  if (averageChunk(token) > 2.4 && wordShare(token) >= 0.6) return false;
  return shannonEntropy(token) >= 3.5;
}

const WORDISH = /[A-Z]?[a-z]{2,}|[A-Z]{3,}(?![a-z])/g;
const VOWEL = /[aeiouyAEIOUY]/;
const CONSONANT_CLUSTER = /[bcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ]{4}/;

/**
 * The share of characters in pronounceable words (a vowel, no run of four consonants):
 * `handleWebContentsDidFailLoad2` is nearly all words, a random token of the same length about a third.
 */
function wordShare(text: string): number {
  let chars = 0;
  for (const word of text.match(WORDISH) ?? []) {
    if (VOWEL.test(word) && !CONSONANT_CLUSTER.test(word)) chars += word.length;
  }
  return chars / text.length;
}

const NUMBER_LIKE = /^[+-]?[\d.,:_ ]+(?:[eE][+-]?\d+)?[a-zA-Z%]{0,3}$/;
const PATH_LIKE = /^(?:~|\.{1,2})?[\\/]|^[A-Za-z]:[\\/]|^\$\{?[A-Za-z_]/;
const URL_WITHOUT_USERINFO = /^[A-Za-z][A-Za-z0-9+.\-]*:\/\/[^@\s]*$/;
/** Words, key names and key combinations: letters and a few joiners, no digits. */
const WORDS = /^[A-Za-z][A-Za-z+\-_.: ]*$/;
const TEMPLATE = /^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|%[A-Za-z_]+%|<[^>]*>|\*+|x+|X+)$/;

/**
 * Whether the value of a weak secret key (`key`, `pwd`, `pat`, `*_KEY`, an unquoted `auth:status`)
 * is kept: numbers and versions, paths (`PWD=/home/...`), URLs without credentials, words and key
 * names without digits (`"key":"Enter"`, `auth:logout`), UUIDs, placeholders, and very short values.
 */
export function weakValueKept(value: string): boolean {
  const v = value.trim();
  if (v.length < 5) return true;
  if (NUMBER_LIKE.test(v) || PATH_LIKE.test(v) || URL_WITHOUT_USERINFO.test(v) || UUID.test(v) || TEMPLATE.test(v)) return true;
  if (WORDS.test(v)) return averageChunk(v) >= 2.5 || v.length < 12;
  return false;
}

/** The characters of a token run: base64 and base64url. */
const RUN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/') RUN_CHAR[c.charCodeAt(0)] = 1;

export function isRunChar(code: number): boolean {
  return code < 128 && RUN_CHAR[code] === 1;
}

/** Where a run of token characters lies in its text. */
export interface TokenRun {
  start: number;
  end: number;
}

/**
 * Every run of at least `min` token characters in the text: every catalogued credential and every
 * token the generic rule judges lies in one. A skip scan: it looks at every `min`-th character and only
 * around one that is a token character, so text of short words costs about length / min steps.
 */
export function tokenRuns(text: string, min = GENERIC_MIN_LENGTH): TokenRun[] {
  const runs: TokenRun[] = [];
  const n = text.length;
  let i = min - 1;
  while (i < n) {
    if (!isRunChar(text.charCodeAt(i))) {
      i += min;
      continue;
    }
    let start = i;
    while (start > 0 && isRunChar(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && isRunChar(text.charCodeAt(end))) end++;
    if (end - start >= min) runs.push({ start, end });
    i = end + min;
  }
  return runs;
}

export function hasTokenRun(text: string, min = GENERIC_MIN_LENGTH): boolean {
  return tokenRuns(text, min).length > 0;
}
