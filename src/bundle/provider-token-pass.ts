import { GENERIC_MIN_LENGTH, isRunChar } from './token-shape.js';
import { ANCHORED_FORMATS, CHAR_CLASSES, PROVIDER_FORMATS, type AnchoredFormat, type BodyPart, type ProviderFormat } from './provider-catalogue.js';
import { escapeRegExp } from './literal-alternation.js';

/**
 * The provider catalogue compiled into one scan: a single regex finds every catalogued prefix at a
 * token start, and only there is each candidate format's body tried (sticky, at that position). So a
 * text costs one prefix scan however many formats there are, never one scan per format. The formats
 * without a literal prefix are searched for their anchor (indexOf) before their pattern runs.
 *
 * The prefix is kept in the output (`glpat-[REDACTED:provider_token]`): it names the credential for a
 * reviewer and is no secret.
 */

export interface CompiledCatalogue {
  /** Whether the text holds any catalogued prefix or anchor (cheap: one regex test and a few indexOf). */
  mayMatch(text: string): boolean;
  /** Replaces every catalogued token's body; `count` once per token. */
  apply(text: string, count: () => void, replacement: string): string;
}

interface CompiledFormat {
  prefix: string;
  body: RegExp;
}

export function compileCatalogue(
  formats: readonly ProviderFormat[] = PROVIDER_FORMATS,
  anchored: readonly AnchoredFormat[] = ANCHORED_FORMATS,
): CompiledCatalogue {
  const compiled: CompiledFormat[] = formats.map((format) => ({ prefix: format.prefix, body: new RegExp(bodySource(format.body), 'y') }));
  const prefixes = [...new Set(compiled.map((c) => c.prefix))].sort((a, b) => b.length - a.length);
  // Every format whose prefix is a prefix of the matched one is tried, longest prefix first
  // (`sk-ant-api03-` before `sk-`, `pat-na1-` before `pat`).
  const byMatchedPrefix = new Map<string, CompiledFormat[]>();
  for (const matched of prefixes) {
    const candidates = compiled.filter((c) => matched.startsWith(c.prefix)).sort((a, b) => b.prefix.length - a.prefix.length);
    byMatchedPrefix.set(matched, candidates);
  }
  // A prefix starts a token: no letter or digit right before it (`task-ant` is not `sk-ant`).
  const prefixScan = new RegExp(`(?<![A-Za-z0-9])(?:${prefixes.map(escapeRegExp).join('|')})`, 'g');
  const prefixTest = new RegExp(prefixScan.source);
  const anchors = anchored.map((a) => ({ anchor: a.anchor, pattern: new RegExp(a.pattern.source, 'g') }));

  return {
    mayMatch(text) {
      if (prefixTest.test(text)) return true;
      for (const a of anchors) if (a.anchor.length > 1 && text.includes(a.anchor)) return true;
      return false;
    },
    apply(text, count, replacement) {
      let out = text;
      if (prefixTest.test(out)) {
        let result = '';
        let copied = 0;
        prefixScan.lastIndex = 0;
        for (let m = prefixScan.exec(out); m !== null; m = prefixScan.exec(out)) {
          const start = m.index;
          const end = bodyEnd(out, start, byMatchedPrefix.get(m[0]) ?? []);
          if (end.prefix === null) {
            // A body that matched but reads as no token (no digit, one letter case): no prefix inside
            // it can start a token either, so the scan resumes after it (linear on `glpat-glpat-…`).
            if (end.end > prefixScan.lastIndex) prefixScan.lastIndex = end.end;
            continue;
          }
          count();
          result += out.slice(copied, start + end.prefix.length) + replacement;
          copied = end.end;
          prefixScan.lastIndex = end.end;
        }
        if (copied > 0) out = result + out.slice(copied);
      }
      for (const a of anchors) {
        if (!out.includes(a.anchor)) continue;
        a.pattern.lastIndex = 0;
        out = out.replace(a.pattern, () => {
          count();
          return replacement;
        });
      }
      return out;
    },
  };
}

/**
 * A token glued to more word characters (`…e8f9AIzaShort`) takes them with it: they are likely part
 * of the secret, and leaving them would let the next pass see a token start right after the marker,
 * so redacting redacted text would change it.
 */
function endOfWord(text: string, end: number): number {
  let i = end;
  while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
  return i;
}

/**
 * The end of the first candidate format whose body matches right after its prefix at `start` and
 * reads as random (`prefix` set); else `prefix` null and `end` the furthest body that matched but did not.
 */
function bodyEnd(text: string, start: number, candidates: readonly CompiledFormat[]): { prefix: string | null; end: number } {
  let skip = start;
  for (const candidate of candidates) {
    candidate.body.lastIndex = start + candidate.prefix.length;
    const m = candidate.body.exec(text);
    if (!m) continue;
    const end = start + candidate.prefix.length + m[0].length;
    if (looksRandom(m[0])) return { prefix: candidate.prefix, end: endOfWord(text, end) };
    skip = Math.max(skip, end);
  }
  return { prefix: null, end: skip };
}

/**
 * A random body has a digit, or both letter cases; an identifier after a short prefix
 * (`pa-some-long-kebab-case-name`) has neither.
 */
function looksRandom(body: string): boolean {
  let upper = false;
  let lower = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return true;
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    if (upper && lower) return true;
  }
  return false;
}

/** The body's regex source; the last part is open-ended so a longer token goes whole. */
/**
 * How far after its prefix's start every token of the format has begun a run of 20+ token characters
 * (token-shape.ts): 0 when the prefix and the body's first characters already make one; Infinity when a
 * token need not hold such a run. A body part is a class of token characters, so a run ends only at a
 * literal character outside them (`.`, `$`, `~`); lengths are taken at their largest before the run and
 * at their smallest in it.
 */
export function prefixRunOffset(format: ProviderFormat): number {
  const items: Array<{ run: boolean; min: number; max: number }> = [];
  const literal = (text: string) => {
    for (let i = 0; i < text.length; i++) items.push({ run: isRunChar(text.charCodeAt(i)), min: 1, max: 1 });
  };
  literal(format.prefix);
  for (const part of format.body) {
    if (typeof part === 'string') literal(part);
    else items.push({ run: true, min: part[1], max: part[2] ?? Infinity });
  }
  let offset = 0;
  let runStart = 0;
  let runLength = -1;
  for (const item of items) {
    if (!item.run) {
      runLength = -1;
    } else {
      if (runLength < 0) {
        runStart = offset;
        runLength = 0;
      }
      runLength += item.min;
      if (runLength >= GENERIC_MIN_LENGTH) return runStart;
    }
    offset += item.max;
  }
  return Infinity;
}

export function bodySource(parts: readonly BodyPart[]): string {
  return parts
    .map((part, i) => {
      if (typeof part === 'string') return escapeRegExp(part);
      const [cls, min, max] = part;
      const last = i === parts.length - 1;
      return `[${CHAR_CLASSES[cls]}]{${min},${last || max === undefined ? '' : max}}`;
    })
    .join('');
}
