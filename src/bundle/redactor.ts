import {
  DEFAULT_RULES,
  marker,
  multiLinePending,
  type PassState,
  type RedactionContext,
  type RedactionRule,
  type TextPass,
} from './redaction-rules.js';
import { redactJsonTokens, type JsonWalkHooks } from './json-token-walk.js';
import { gateOf, tokenRunMemo, type Gate } from './redaction-gates.js';
import { createPrefilter } from './line-prefilter.js';
import { literalAlternation } from './literal-alternation.js';
import { pemOpeningField, redactPemField, type FieldPath } from './pem-across-json-lines.js';
import { classifySecretKey, type SecretKey, type SecretKeyRule } from './secret-keys.js';
import { weakValueKept } from './token-shape.js';

/** Replacements per rule name; every rule of the redactor is present, zero when it never fired. */
export type RedactionCounts = Record<string, number>;

export interface RedactorOptions extends RedactionContext {
  /** The rule table; the default rules unless a caller needs its own. */
  rules?: readonly RedactionRule[];
  /**
   * Scan lines with the WebAssembly kernel (default true): several times faster per line, but building
   * its automaton costs about as much as compiling the rules. A redactor made on the host's main thread
   * for a few lines (an outgoing event) turns it off; the output is the same either way.
   */
  scanKernel?: boolean;
}

/**
 * One pass over a sequence of lines or values. Keeps the counts and the state that spans
 * lines (a PEM block whose END comes on a later line).
 */
export interface RedactionSession {
  /** Free text (one line or many): the pattern rules. */
  text(input: string): string;
  /** One log line: a JSON line is parsed, key rules applied at any depth, and re-serialised; other lines get `text`. */
  line(input: string): string;
  /** A JSON value: key rules at any depth, pattern rules on every string (keys included). */
  value(input: unknown): unknown;
  /** Forget cross-line state (call when the next line comes from another file). */
  endOfSource(): void;
  /** Counts so far, every rule present. */
  counts(): RedactionCounts;
  /** Replacements so far, all rules together (cheap: no copy). */
  total(): number;
}

export interface Redactor {
  readonly ruleNames: readonly string[];
  session(): RedactionSession;
  /** Redacts a whole text line by line (JSON lines parsed) and returns it with its counts. */
  redact(text: string): { text: string; counts: RedactionCounts };
}

interface CompiledRule {
  name: string;
  rule: RedactionRule;
  pass: TextPass;
  gate: Gate;
}

/** JSON text starts with `{` or `[`; a marker (`[REDACTED:private_key] …`) does not, so a redacted line reads as it did before. */
const JSON_START = /^\s*(?:\{|\[(?!REDACTED:))/;
/** A command-line option on its own (`--token`, `-password`); its value is the next argument. */
const OPTION_NAME = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/;
/** A line of a PEM body: base64, or one of the RFC 1421 headers. */
const PEM_BODY_LINE = /^\s*(?:[A-Za-z0-9+/=]{1,100}|(?:Proc-Type|DEK-Info|Comment): [^\r\n]{0,200})\s*$/;
/** The last line of a PEM block (base64 may precede the END marker on the same line). */
const PEM_END_LINE = /^\s*[A-Za-z0-9+/=]{0,100}-{4,5} ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;
/** The last word of a key whose value is an identifier or a digest: the generic token rule leaves it. */
const IDENTIFIER_KEY = /(?:^|[^A-Za-z])(?:id|ids|uuid|guid|hash|sha\d*|digest|checksum|etag|fingerprint|integrity)$|[a-z0-9](?:Id|Ids|Uuid|Hash|Digest|Checksum|Fingerprint)$/;
const KEY_CACHE_LIMIT = 4096;

export function createRedactor(options: RedactorOptions): Redactor {
  const rules = options.rules ?? DEFAULT_RULES;
  const context: RedactionContext = { homedir: options.homedir, username: options.username };
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const pass = rule.compile(context);
    if (pass) compiled.push({ name: rule.name, rule, pass, gate: gateOf(rule, pass) });
  }
  const ruleNames = rules.map((r) => r.name);
  // Passes that run on a raw line before it is parsed (paths): the user's name on every line of a log
  // must not send every line down the parse-and-walk path.
  const rawPasses = compiled.map((c, i) => (c.pass.lineSafe ? i : -1)).filter((i) => i >= 0);
  const otherPasses = compiled.map((c, i) => (c.pass.lineSafe ? -1 : i)).filter((i) => i >= 0);
  const rawGate = anyLiteral(rawPasses.map((i) => compiled[i]!.pass));
  const runOf = tokenRunMemo();
  // Whether any pass could change the text (see redaction-gates.ts): for every string, and for a raw
  // line after the path passes ran on it.
  const scan = { scanKernel: options.scanKernel !== false };
  const allPrefilter = createPrefilter(compiled, [], scan);
  // `\u` and `\/` escapes could spell what a gate looks for, so a line holding one takes the full path.
  const otherPrefilter = createPrefilter(
    otherPasses.map((i) => compiled[i]!),
    ['\\u', '\\/'],
    scan,
  );
  const anyTrigger = { test: (text: string) => allPrefilter(text, runOf(text)) };

  const session = (): RedactionSession => {
    const counts: RedactionCounts = Object.fromEntries(ruleNames.map((n) => [n, 0]));
    const lineState: PassState = { insidePrivateKey: false };
    // A PEM block open when its source ended: a rotated log may hold the rest in the next file.
    let privateKeyCarried = false;
    // A PEM block printed line by line into JSON records: the field its lines are in.
    let pemField: FieldPath | null = null;
    let totalCount = 0;
    const bump = (name: string) => {
      counts[name] = (counts[name] ?? 0) + 1;
      totalCount++;
    };
    const counters = compiled.map((rule) => () => bump(rule.name));
    const total = () => totalCount;

    const runText = (input: string, state: PassState): string => {
      const pending = multiLinePending(state);
      if (!pending && !anyTrigger.test(input)) return input;
      let out = input;
      for (let i = 0; i < compiled.length; i++) {
        const rule = compiled[i]!;
        if (pending || rule.gate(out, runOf(out))) out = rule.pass.apply(out, counters[i]!, state);
      }
      return out;
    };

    // A string inside a JSON value is self-contained: its PEM state never leaks to the next one.
    // A string that holds JSON (a logged body, a message that is a record) is parsed so key rules reach inside.
    // `pem`: the PEM state of the strings before this one in the same array (a key split into lines).
    const redactString = (s: string, pem: PassState = { insidePrivateKey: false }): string => {
      const nested = wholeJson(s);
      if (nested !== undefined) {
        const before = total();
        const redacted = redactValue(nested, true);
        // Unchanged: duplicate keys may still hide a value from the parse (see `line`).
        return total() === before ? runText(walk(s), pem) : JSON.stringify(redacted);
      }
      // JSON that does not parse (a cut body) gets its string tokens decoded and key rules first.
      return runText(JSON_START.test(s) ? walk(s) : s, pem);
    };
    const walkHooks: JsonWalkHooks = {
      string: (decoded) => redactString(decoded),
      keyRule: (key) => keyVerdict(key).secret,
      countKey: (rule) => bump(rule),
    };
    const walk = (jsonText: string): string => redactJsonTokens(jsonText, walkHooks);

    // Log records repeat the same few keys: classify each once. Keys that were redacted are not
    // cached (their count must be taken each time), and the cache is bounded.
    const keyCache = new Map<string, { secret: SecretKey | null; rule: SecretKeyRule | null; newKey: string }>();
    const keyVerdict = (key: string) => {
      const cached = keyCache.get(key);
      if (cached) return cached;
      const before = totalCount;
      const secret = classifySecretKey(key);
      const verdict = { secret, rule: secret?.rule ?? null, newKey: redactString(key) };
      if (totalCount === before && keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, verdict);
      return verdict;
    };

    const pairedValueRule = (element: string): SecretKey | null => {
      const option = OPTION_NAME.exec(element);
      if (option) return keyVerdict(option[1]!).secret;
      const secret = keyVerdict(element).secret;
      return secret?.rule === 'auth_header' ? secret : null;
    };

    /** `owned`: the value was parsed here, so it may be changed in place (a caller's never is). */
    const redactValue = (input: unknown, owned: boolean): unknown => {
      if (typeof input === 'string') return redactString(input);
      if (Array.isArray(input)) {
        const out = owned ? input : new Array<unknown>(input.length);
        const pem: PassState = { insidePrivateKey: false };
        for (let i = 0; i < input.length; i++) {
          // Flat header lists (Node's rawHeaders: ['Cookie', 'sid=...', 'Host', 'x']) and argument
          // vectors (['--token', 'x']): a header's or an option's value is the next element.
          const previous: unknown = i > 0 ? input[i - 1] : undefined;
          const paired = typeof previous === 'string' && previous.length < 64 ? pairedValueRule(previous) : null;
          if (paired !== null && typeof input[i] === 'string' && hidesValue(paired, input[i]) && !(input[i] as string).startsWith('-')) {
            bump(paired.rule);
            out[i] = marker(paired.rule);
          } else {
            const element = input[i];
            out[i] = typeof element === 'string' ? redactString(element, pem) : redactValue(element, owned);
          }
        }
        return out;
      }
      if (input !== null && typeof input === 'object') {
        const source = input as Record<string, unknown>;
        let out: Record<string, unknown> = owned ? source : {};
        let renamed = false;
        const keys = Object.keys(source);
        // Name/value pairs (HAR headers, env lists): {"name":"Authorization","value":"..."}.
        const pairName = typeof source.name === 'string' ? source.name : typeof source.key === 'string' ? source.key : undefined;
        const pairSecret = pairName !== undefined && 'value' in source ? keyVerdict(pairName).secret : null;
        const values: unknown[] = [];
        const newKeys: string[] = [];
        for (const key of keys) {
          const value = source[key];
          const verdict = keyVerdict(key);
          const { newKey } = verdict;
          const secret = key === 'value' && pairSecret !== null ? pairSecret : verdict.secret;
          if (newKey !== key) renamed = true;
          newKeys.push(newKey);
          if (secret !== null && hidesValue(secret, value)) {
            bump(secret.rule);
            values.push(marker(secret.rule));
          } else if (typeof value === 'string' && IDENTIFIER_KEY.test(key)) {
            values.push(redactString(value, { insidePrivateKey: false, identifier: true }));
          } else {
            values.push(redactValue(value, owned));
          }
        }
        // A redacted key changes the object's shape: rebuild it so key order is kept.
        if (renamed && owned) out = {};
        for (let i = 0; i < keys.length; i++) out[newKeys[i]!] = values[i];
        return out;
      }
      return input;
    };

    return {
      text: (input) => runText(input, lineState),
      line(raw) {
        if (privateKeyCarried) {
          // Only lines that look like the rest of the block carry it on: an unterminated block
          // must not swallow a whole file that merely follows it.
          if (PEM_BODY_LINE.test(raw)) {
            bump('private_key');
            return marker('private_key');
          }
          privateKeyCarried = false;
          if (PEM_END_LINE.test(raw)) lineState.insidePrivateKey = true;
        }
        let input = raw;
        if (rawGate === null || rawGate(raw)) {
          for (const i of rawPasses) input = compiled[i]!.pass.apply(input, counters[i]!, lineState);
        }
        // No other rule's gate opens on the line: nothing to redact, not even inside its JSON.
        if (!multiLinePending(lineState) && pemField === null && !otherPrefilter(input, runOf(input))) return input;
        if (JSON_START.test(input)) {
          let parsed: unknown;
          let ok = false;
          try {
            parsed = JSON.parse(input);
            ok = true;
          } catch {
            // Not JSON after all, or a line cut at 64 KiB: its string tokens are walked below.
          }
          if (ok) {
            lineState.insidePrivateKey = false;
            const before = total();
            if (pemField !== null) {
              const part = redactPemField(parsed, pemField, marker('private_key'));
              if (part !== 'none') bump('private_key');
              if (part !== 'body') pemField = null;
            }
            const opening = input.includes('PRIVATE KEY') ? pemOpeningField(parsed) : null;
            const redacted = redactValue(parsed, true);
            if (opening !== null) pemField = opening;
            if (total() !== before) return JSON.stringify(redacted);
            // Written exactly as JSON.stringify writes it: no duplicate key or escape hid anything from
            // the parse, and every string was redacted above.
            if (!lineState.insidePrivateKey && JSON.stringify(parsed) === input) return input;
          }
          // Unchanged lines keep their exact bytes (big integers, spacing, key order), but JSON.parse
          // keeps only the last of duplicate keys (pino writes `msg` twice when the logged object has
          // its own), and a cut line does not parse at all: every string token as written is decoded
          // and redacted, then the pattern rules run over the whole text.
          return runText(walk(input), lineState);
        }
        const embedded = embeddedJson(input);
        if (embedded) {
          const before = total();
          const redacted = redactValue(embedded.value, true);
          // The text rules see the whole line: a key before the object (`password={...}`) has it as its value.
          if (total() !== before) return runText(input.slice(0, embedded.start) + JSON.stringify(redacted), lineState);
        }
        // A text line with a JSON tail, whole or cut: the tail's tokens as written, as above.
        const tail = input.indexOf('{"');
        if (tail > 0) return runText(input.slice(0, tail) + walk(input.slice(tail)), lineState);
        return runText(input, lineState);
      },
      value: (input) => redactValue(input, false),
      endOfSource() {
        privateKeyCarried = lineState.insidePrivateKey;
        pemField = null;
        lineState.insidePrivateKey = false;
        lineState.puttyLines = 0;
      },
      counts: () => ({ ...counts }),
      total,
    };
  };

  return {
    ruleNames,
    session,
    redact(text) {
      const s = session();
      const out = text
        .split('\n')
        .map((line) => s.line(line))
        .join('\n');
      return { text: out, counts: s.counts() };
    },
  };
}

/**
 * One search for every literal the passes' gates need (see TextPass.gateLiterals), or null when a
 * gate names none: a line that holds none of them closes every gate, whatever order the passes run
 * in (a pass that does not run leaves the line as the next gate sees it). A log that never names the
 * user costs its raw passes one scan per line, not one or two per pass.
 */
function anyLiteral(passes: readonly TextPass[]): ((text: string) => boolean) | null {
  const literals: string[] = [];
  let caseless = false;
  for (const pass of passes) {
    if (!pass.gateLiterals) return null;
    literals.push(...pass.gateLiterals.literals);
    caseless ||= pass.gateLiterals.caseless === true;
  }
  if (literals.length === 0 || literals.includes('')) return null;
  // The first literal (the home directory's last segment: the user's name) on its own: a native search
  // that a line naming the user ends early.
  const [first, ...rest] = literals;
  if (caseless || rest.length === 0) {
    const any = literalAlternation(literals, caseless ? 'i' : '');
    return (text) => any.test(text);
  }
  const others = literalAlternation(rest, '');
  return (text) => text.includes(first!) || others.test(text);
}

/** The value of a string that is a JSON object or array, else undefined. */
function wholeJson(s: string): unknown {
  const first = s.charCodeAt(0);
  if (s.length < 2 || (first !== 0x7b && first !== 0x5b) || !/[}\]]\s*$/.test(s.slice(-8))) return undefined;
  try {
    const value: unknown = JSON.parse(s);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A text line that ends with a JSON object (`<time> info request {"headers":{...}}`): the object is
 * parsed so key rules reach nested values. Only the first `{"` is tried, keeping this O(n).
 */
function embeddedJson(line: string): { start: number; value: unknown } | null {
  const start = line.indexOf('{"');
  if (start <= 0 || !line.trimEnd().endsWith('}')) return null;
  try {
    return { start, value: JSON.parse(line.slice(start)) };
  } catch {
    return null;
  }
}

/**
 * Whether a value under a secret key goes: a strong key's always (unless it carries nothing), a weak
 * key's only when it is a string that reads as a secret (numbers, words, paths and containers are
 * walked like any other value).
 */
function hidesValue(secret: SecretKey, value: unknown): boolean {
  if (!holdsSecret(value)) return false;
  if (!secret.weak) return true;
  return typeof value === 'string' && !weakValueKept(value);
}

/** Null, booleans and empty strings carry no secret; keeping them keeps the log readable. */
function holdsSecret(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'boolean') return false;
  if (typeof value === 'string') return value !== '' && !value.startsWith('[REDACTED:');
  return true;
}

/** Adds `b` into `a`. */
export function addCounts(a: RedactionCounts, b: RedactionCounts): RedactionCounts {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  return a;
}
