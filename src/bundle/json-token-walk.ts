import { marker } from './redaction-rules.js';
import type { SecretKey, SecretKeyRule } from './secret-keys.js';
import { weakValueKept } from './token-shape.js';

/** What the walk asks of the redactor. */
export interface JsonWalkHooks {
  /** Redacts one decoded string (a key or a value not under a secret key). */
  string(decoded: string): string;
  /** The rule a key's value falls under (and whether the key is weak), or null. */
  keyRule(decodedKey: string): SecretKey | null;
  /** Counts one value replaced because of its key. */
  countKey(rule: SecretKeyRule): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MARKER_PREFIX = '[REDACTED:';

/**
 * Redacts the string tokens of JSON text as written, for the text JSON.parse cannot be trusted
 * with: a line with duplicate keys (the parse keeps only the last one, so an earlier value never
 * reaches the key rules) and a line that does not parse at all (cut at 64 KiB, or broken). Each
 * string token is decoded (`\u0040`, `\/`, `\"`), so an escape cannot hide a secret from the
 * rules, and a key naming a secret hides its value even when the value is cut off (unterminated).
 * Hand-written because no JSON library keeps duplicate keys or reads a cut document; one pass,
 * linear in the text. Returns the text itself when nothing changed.
 */
export function redactJsonTokens(text: string, hooks: JsonWalkHooks): string {
  const n = text.length;
  let out = '';
  let copied = 0;
  let pendingRule: SecretKey | null = null;
  const replace = (from: number, to: number, replacement: string) => {
    out += text.slice(copied, from) + replacement;
    copied = to;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const { end, closed } = stringEnd(text, i);
      const decoded = decodeToken(text.slice(i, end), closed);
      let j = end;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (closed && text[j] === ':') {
        const redactedKey = hooks.string(decoded);
        if (redactedKey !== decoded) replace(i, end, JSON.stringify(redactedKey));
        // A marker before `:` is a redacted value the text rules left in a run-on line, not a key.
        pendingRule = decoded.startsWith(MARKER_PREFIX) ? null : hooks.keyRule(decoded);
      } else if (pendingRule !== null && decoded !== '' && !decoded.startsWith(MARKER_PREFIX) && !(pendingRule.weak && weakValueKept(decoded))) {
        hooks.countKey(pendingRule.rule);
        replace(i, end, JSON.stringify(marker(pendingRule.rule)));
        pendingRule = null;
      } else {
        const redacted = hooks.string(decoded);
        if (redacted !== decoded) replace(i, end, JSON.stringify(redacted));
        pendingRule = null;
      }
      i = end;
      continue;
    }
    if (pendingRule !== null && pendingRule.weak && !isSpace(c) && c !== 0x3a /* : */) {
      // A weak key's number, literal or container is walked like any other value.
      pendingRule = null;
    }
    if (pendingRule !== null && !isSpace(c) && c !== 0x3a /* : */) {
      const end = c === 0x7b || c === 0x5b ? containerEnd(text, i) : bareEnd(text, i);
      const bare = text.slice(i, end);
      // null, true and false carry no secret; anything else under a secret key goes. A bare marker is
      // the text rules' own output for an object value (`"credentials":[REDACTED:secret_field]`).
      if (bare !== 'null' && bare !== 'true' && bare !== 'false' && !bare.startsWith(MARKER_PREFIX)) {
        hooks.countKey(pendingRule.rule);
        replace(i, end, JSON.stringify(marker(pendingRule.rule)));
      }
      pendingRule = null;
      i = end;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** End (exclusive) of the string token opening at `start`; unterminated tokens run to the end. */
function stringEnd(text: string, start: number): { end: number; closed: boolean } {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return { end: i + 1, closed: true };
  }
  return { end: text.length, closed: false };
}

/** End of the object or array opening at `start` (strings skipped); the rest of the text when cut. */
function containerEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i).end - 1;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return text.length;
}

/** End of a bare value (number, literal, or junk) at `start`. */
function bareEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 0x2c || c === 0x7d || c === 0x5d) break;
    i++;
  }
  return Math.max(i, start + 1);
}

const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The value of a string token; a cut or malformed one is decoded as far as its escapes are valid. */
function decodeToken(token: string, closed: boolean): string {
  if (closed) {
    try {
      return JSON.parse(token) as string;
    } catch {
      // A malformed escape: decode the valid ones below.
    }
  }
  const inner = token.slice(1, closed ? -1 : undefined);
  return inner.replace(ESCAPE, (_m, hex: string | undefined, simple: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : SIMPLE_ESCAPES[simple!]!,
  );
}
