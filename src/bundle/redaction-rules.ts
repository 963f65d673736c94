import { classifySecretKey, createSecretKeyGate, MAYBE_SECRET } from './secret-keys.js';
import { weakValueKept } from './token-shape.js';
import { commandPasswordPass, oauthCodePass, puttyKeyPass } from './redaction-rules-commands.js';
import { genericTokenPass, PROVIDER_LOOKBACK, providerTokenPass } from './redaction-rules-tokens.js';
import { ANCHORED_FORMATS, PROVIDER_FORMATS } from './provider-catalogue.js';
import { prefixRunOffset } from './provider-token-pass.js';
import { HOME_DIR_RULE, USER_NAME_RULE } from './redaction-rules-paths.js';

/** Anchors of shape-only formats long enough to be a gate of their own (`Q~`, `:AA`, `.atlasv1.`). */
const ANCHOR_LITERALS = ANCHORED_FORMATS.map((f) => f.anchor).filter((a) => a.length >= 2);
/** Per catalogued prefix: the largest run offset of the formats with exactly that prefix, at most PROVIDER_LOOKBACK. */
const PREFIX_LOOKBACK = new Map<string, number>();
for (const format of PROVIDER_FORMATS) {
  const offset = Math.min(PROVIDER_LOOKBACK, prefixRunOffset(format));
  PREFIX_LOOKBACK.set(format.prefix, Math.max(PREFIX_LOOKBACK.get(format.prefix) ?? 0, offset));
}

/**
 * The default redaction rules (contract: Crash bundle), as a table of named rules.
 * Each rule carries strings it must catch (with the secret part that must vanish) and strings it
 * must leave alone; the tests iterate this table, so a new rule comes with its own proof.
 *
 * Linear time: every pattern that starts with a character run is guarded by a negative
 * lookbehind on that run's own class, so it is only tried at the start of a run (never from
 * every position inside one), and no pattern nests ambiguous quantifiers. A 1 MB line of any
 * repeated fragment costs O(n) per rule.
 */

export interface RedactionContext {
  /** The user's home directory, replaced by `~`. */
  homedir: string;
  /** The user's login name, replaced by `[user]` where it is a path segment. */
  username: string;
}

/** The context the table's examples are written for. */
export const EXAMPLE_CONTEXT: RedactionContext = { homedir: '/home/alice', username: 'alice' };

export interface RuleExample {
  /** A line as it may appear in a log (free text or a JSON line). */
  text: string;
  /** The part that must not survive. */
  secret: string;
}

/** What one compiled rule does to free text; `count` is called once per replacement. */
export interface TextPass {
  apply(text: string, count: () => void, state: PassState): string;
  /**
   * Matches (case-insensitively) every text the pass could change; the redactor joins all triggers
   * into one test so a string no rule could touch costs one regex scan, not one per rule.
   */
  trigger: RegExp;
  /**
   * A cheap exact-enough test used instead of `trigger` (a few `includes`, no regex alternation):
   * false means the pass cannot change the text. The redactor asks every pass's gate before any work.
   */
  gate?(text: string): boolean;
  /**
   * Literals one of which every text the gate opens on contains (`caseless`: in any ASCII case). The
   * redactor's line prefilter finds every rule's literals in one scan and asks the gate only then.
   */
  gateLiterals?: { literals: readonly string[]; caseless?: boolean };
  /**
   * The gate is a word gate: it opens only on a word holding one of `stems` (any case), and `wordAt`
   * judges the word around one (see secret-keys.ts). The prefilter asks it about the words it finds.
   */
  wordGate?: { stems: readonly string[]; wordAt(text: string, at: number): { opens: boolean; end: number } };
  /**
   * For a token-shaped rule: whether a run of token characters (tokenRuns) could hold what the pass
   * changes. The redactor asks it only about the runs of a text, so an ordinary log line (UUIDs, paths)
   * costs no pass.
   */
  candidate?(text: string, start: number, end: number): boolean;
  /**
   * The pass may run on a raw log line, JSON or not, before it is parsed: its matches never span JSON
   * syntax and it reads escaped text as it is (the home directory and user name in paths). A line
   * holding none of the raw passes' gate literals skips them all; on any other line each raw pass's
   * apply runs without its gate, so it must find what it changes itself (as every apply must).
   */
  lineSafe?: boolean;
}

/** True when the text includes any of the literals. */
export function includesAny(text: string, literals: readonly string[]): boolean {
  for (const literal of literals) if (text.includes(literal)) return true;
  return false;
}

/** Per-session state a pass may keep between lines (an unterminated PEM block). */
export interface PassState {
  insidePrivateKey: boolean;
  /** Lines of a PuTTY key's private part still to come. */
  puttyLines?: number;
  /** The text is the value of an id, hash or digest field: the generic token rule leaves it. */
  identifier?: boolean;
}

/** Whether a session is inside a multi-line secret, so the next line must reach the passes. */
export function multiLinePending(state: PassState): boolean {
  return state.insidePrivateKey || (state.puttyLines ?? 0) > 0;
}

export interface RedactionRule {
  name: string;
  description: string;
  catches: readonly RuleExample[];
  keeps: readonly string[];
  /**
   * Literals (case variants listed) one of which every text the rule changes contains: the redactor's
   * cheap test before any regex runs. Without it (and without a pass gate) the trigger regex is used.
   */
  gate?: readonly string[];
  /** Every text the rule changes holds a run of 20+ token characters (a credential's body). */
  tokenShaped?: boolean;
  /**
   * For a token-shaped rule: its candidate accepts a run only when one of these literals starts in the
   * run or at most `lookback` characters before it (and ends by the run's end). `lookbacks` (one per
   * literal, none over `lookback`) narrows that where the rule's own shapes prove it: every text the rule
   * changes holds literal i starting at most lookbacks[i] characters before a run, or in it.
   */
  runLiterals?: { literals: readonly string[]; lookback: number; lookbacks?: readonly number[] };
  /** For a token-shaped rule: its candidate accepts only runs holding upper case, lower case and a digit. */
  runNeedsMixedClasses?: boolean;
  /** Returns null when the rule does not apply in this context (no home directory known). */
  compile(context: RedactionContext): TextPass | null;
}

export function marker(rule: string): string {
  return `[REDACTED:${rule}]`;
}

const MARKER_PREFIX = '[REDACTED:';

/** A pattern pass: `replace(match, groups)` returns the replacement, or null to keep the match. */
function patternPass(
  pattern: RegExp,
  trigger: RegExp,
  replace: (match: string, groups: string[]) => string | null,
): TextPass {
  return {
    trigger,
    apply(text, count) {
      if (!trigger.test(text)) return text;
      pattern.lastIndex = 0;
      return text.replace(pattern, (match: string, ...rest: unknown[]) => {
        const groups = rest.filter((g): g is string => typeof g === 'string' || g === undefined).map((g) => g ?? '');
        const out = replace(match, groups);
        if (out === null) return match;
        count();
        return out;
      });
    },
  };
}

/** How far before a run a token rule's candidate looks for its trigger. */
const TOKEN_RULE_LOOKBACK = 12;

function tokenRule(
  name: string,
  description: string,
  pattern: RegExp,
  trigger: RegExp,
  catches: RuleExample[],
  keeps: string[],
  /** The literals the trigger matches (`gh[pousr]_` spelled out). */
  triggerLiterals: readonly string[],
): RedactionRule {
  return {
    name,
    description,
    catches,
    keeps,
    ...(name === 'jwt' ? { gate: ['eyJ'] } : { tokenShaped: true, runLiterals: { literals: triggerLiterals, lookback: TOKEN_RULE_LOOKBACK } }),
    compile: () => ({ ...patternPass(pattern, trigger, () => marker(name)), candidate: (text: string, start: number, end: number) => trigger.test(text.slice(Math.max(0, start - TOKEN_RULE_LOOKBACK), end)) }),
  };
}

// --- PEM private keys -------------------------------------------------------------------------

// Also SSH2 (RFC 4716) key files: `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`, four dashes and spaces.
const PEM_BEGIN = /-{4,5} ?BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}(?:[^-]|-(?!---))*(-{4,5} ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5})?/g;
const PEM_END = /^(?:[^-]|-(?!---))*-{4,5} ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}/;

/** Redacts whole PEM blocks; a block whose END is on a later line redacts those lines too. */
const privateKeyPass: TextPass = {
  trigger: /PRIVATE KEY/,
  apply(text, count, state) {
    let out = text;
    if (state.insidePrivateKey) {
      const end = PEM_END.exec(out);
      count();
      if (!end) return marker('private_key');
      state.insidePrivateKey = false;
      out = marker('private_key') + out.slice(end[0].length);
    }
    if (!out.includes('PRIVATE KEY')) return out;
    PEM_BEGIN.lastIndex = 0;
    return out.replace(PEM_BEGIN, (_match: string, end: string | undefined) => {
      count();
      // Without its END the block continues on the following lines of this session.
      state.insidePrivateKey = end === undefined;
      return marker('private_key');
    });
  },
};

// --- key=value pairs in free text ----------------------------------------------------------------

/**
 * A run of backslashes that does not start an escaped tab, newline or quote (`\t`, `\\n`, `\"`):
 * inside escaped text (`msg="retry\npassword=x\ttoken: y"`) such an escape ends a bare value, as
 * the tab or quote it stands for would, so the pair after it is still seen. The lookahead takes the
 * whole run at once (JS has no possessive quantifier), so a run is never split between
 * repetitions: linear. `n` is the number of the capture group the run lands in.
 */
const bareBackslashes = (n: number) => `(?=(\\\\+))\\${n}(?![nrt"'])`;

/** A bare value: stops at `:` and `=` (see BARE_REST) and at an escaped tab, newline or quote. */
const BARE_VALUE = String.raw`(?:[^\s,;&"'<>{}[\]():=\\]|${bareBackslashes(5)})+`;

const KEY_VALUE = new RegExp(
  String.raw`(?<!(?<!\\)[A-Za-z0-9_.\-])((?<!\\)\\{1,16}["']|["']|)(?<!\\)([A-Za-z_][A-Za-z0-9_.\-]*)\1(\s{0,8}(?:=>|[:=])\s{0,8})(\\{1,16}"[^"\r\n]*(?:"|$)|"(?:[^"\\\r\n]|\\.)*(?:"|$)|'[^'\r\n]*(?:'|$)|\{[^{}\r\n]*\}|\[[^[\]\r\n]*\]|${BARE_VALUE})`,
  'g',
);

/** The rest of a bare secret value after the match (a bare value in the pattern stops at `:` and `=`). */
const BARE_REST = new RegExp(String.raw`(?:[^\s,;&"'<>{}[\]()\\]|${bareBackslashes(1)})*`, 'y');

const LITERALS = new Set(['', 'null', 'true', 'false']);
const ESCAPED_QUOTE = /^\\{1,16}"/;
/** The closing quote of an escaped quoted value (`\"`, `\\\"`). */
const CLOSING_QUOTE = /\\{0,16}"$/;

/**
 * `password=x`, `"token": "x"`, `api_key: 'x'`, `credentials={...}`. After a key that is not a
 * secret, scanning resumes at its value rather than after it, so pairs inside a value
 * (`url=https://x?token=y`, `a="password=y"`, `cfg={"secret":"y"}`) are still seen. Each resume
 * point is past the previous match's start, and a value is rescanned only from its own start:
 * linear overall. Hand-rolled with exec() because replace() cannot resume inside a match.
 */
function redactKeyValues(text: string, count: () => void): string {
  if (!text.includes('=') && !text.includes(':')) return text;
  const pattern = new RegExp(KEY_VALUE.source, 'g');
  let out = '';
  let copied = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const [match, quote, key, separator, value] = m as unknown as [string, string, string, string, string];
    const valueStart = m.index + match.length - value.length;
    const secretKey = classifySecretKey(key);
    if (secretKey === null) {
      pattern.lastIndex = valueStart;
      continue;
    }
    // `auth:status`, `auth:logout`: an unquoted name glued to its value by `:` is an IPC channel or a
    // scoped name more often than a pair, so its key counts as weak.
    const glued = quote === '' && separator === ':';
    // `\"` (any depth of escaping) quotes JSON inside a quoted string (`body="{\"password\":\"x\"}"`,
    // Rust's `{:?}`); the key after an escape such as `\n` starts a pair too.
    const q = ESCAPED_QUOTE.exec(value)?.[0] ?? (value.startsWith('"') || value.startsWith("'") ? value[0]! : '');
    const quoted = q !== '';
    // A quoted value may be cut off by the end of the text (a line cut at 64 KiB): it still goes.
    let closing =
      q.length === 1
        ? value.length > 1 && value.endsWith(q) ? q : ''
        : quoted && value.length > q.length ? (CLOSING_QUOTE.exec(value.slice(q.length))?.[0] ?? '') : '';
    let end = m.index + match.length;
    let inner = quoted ? value.slice(q.length, value.length - closing.length) : value;
    if (q.length > 1 && closing !== '' && !closesEscapedString(closing.length - 1, q.length - 1)) {
      // The quote the pattern stopped at is escaped deeper than the opening one: it is inside the
      // value (`\"auth\":\"Digest username=\\\"ada\\\", …\"`), so the value runs on to its own closing quote.
      const rest = escapedStringEnd(text, end, q.length - 1);
      inner = text.slice(valueStart + q.length, rest.contentEnd);
      closing = rest.closing;
      end = rest.contentEnd + closing.length;
    }
    const closed = closing !== '';
    if (LITERALS.has(inner) || inner.startsWith(MARKER_PREFIX)) continue;
    if ((secretKey.weak || glued) && !value.startsWith('{') && !value.startsWith('[') && weakValueKept(inner)) {
      pattern.lastIndex = valueStart;
      continue;
    }
    count();
    out += `${text.slice(copied, m.index)}${quote}${key}${quote}${separator}${q}${marker('secret_field')}${closed ? closing : ''}`;
    copied = end;
    pattern.lastIndex = end;
    if (!quoted && !value.startsWith('{') && !value.startsWith('[')) {
      // A bare value stops at `:`/`=` so that rescanning stays linear; a secret's own `:`/`=` go too.
      BARE_REST.lastIndex = copied;
      copied += BARE_REST.exec(text)?.[0].length ?? 0;
      pattern.lastIndex = copied;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Whether a `"` after `backslashes` backslashes closes a string opened by a quote escaped with
 * `depth` backslashes. Each level of escaping doubles a backslash and adds one: a quote one level
 * deeper has 2*depth+1 of them, and backslashes inside the string come in runs of 2*(depth+1).
 */
function closesEscapedString(backslashes: number, depth: number): boolean {
  return backslashes >= depth && (backslashes - depth) % (2 * (depth + 1)) === 0;
}

/**
 * From `from`, the end of an escaped string's content: its closing quote, or a quote escaped less
 * than the opening one (the string around it ends), or the end of the line. One forward scan.
 */
function escapedStringEnd(text: string, from: number, depth: number): { contentEnd: number; closing: string } {
  let run = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      run++;
      continue;
    }
    if (c === 0x0a || c === 0x0d) return { contentEnd: i, closing: '' };
    if (c === 0x22) {
      if (run < depth) return { contentEnd: i - run, closing: '' };
      if (closesEscapedString(run, depth)) return { contentEnd: i - run, closing: text.slice(i - run, i + 1) };
    }
    run = 0;
  }
  return { contentEnd: text.length, closing: '' };
}

/**
 * A command-line option and its value: `--password hunter2`, `-token 'x'`, `--api-key=x`; also right
 * after an escape (`args="--password x\t--token y"`).
 */
const FLAG_VALUE = new RegExp(
  String.raw`(?<!(?<!\\)[A-Za-z0-9_.\-])(--?)([A-Za-z][A-Za-z0-9_.\-]{0,60})(=|[ \t]{1,8})("[^"\r\n]*(?:"|$)|'[^'\r\n]*(?:'|$)|(?:[^\s"'\-\\]|${bareBackslashes(5)})(?:[^\s"'\\]|${bareBackslashes(6)})*)`,
  'g',
);

/** The value of a command-line option whose name is a secret (logged spawn arguments). */
function redactFlagValues(text: string, count: () => void): string {
  if (!text.includes('-')) return text;
  const out = text.replace(FLAG_VALUE, (match: string, dashes: string, name: string, separator: string, value: string) => {
    const secretKey = classifySecretKey(name);
    if (secretKey === null) return match;
    const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
    // A quoted value cut off by the end of the text (a line cut at 64 KiB) still goes.
    const closed = q !== '' && value.length > 1 && value.endsWith(q);
    const inner = q ? value.slice(1, closed ? -1 : undefined) : value;
    if (LITERALS.has(inner) || inner.startsWith(MARKER_PREFIX)) return match;
    if (secretKey.weak && weakValueKept(inner)) return match;
    count();
    return `${dashes}${name}${separator}${q}${marker('secret_field')}${closed ? q : ''}`;
  });
  if (!out.includes('",')) return out;
  // An argument vector printed as JSON inside a message: `["--db-password","x"]`, or escaped inside a
  // quoted string, `[\"--db-password\",\"x\"]`: the option's value is the next element.
  return out.replace(ARGV_PAIR, (match: string, q: string, dashes: string, name: string, between: string, value: string) => {
    const secretKey = classifySecretKey(name);
    if (secretKey === null || value === '' || value.startsWith('-') || value.startsWith(MARKER_PREFIX)) return match;
    if (secretKey.weak && weakValueKept(value)) return match;
    count();
    return `${q}${dashes}${name}${q}${between}${q}${marker('secret_field')}${q}`;
  });
}

/** `"--name","value"` with the quotes escaped to any depth (the same depth on both). */
const ARGV_PAIR = /((?<!\\)\\{0,16}")(--?)([A-Za-z][A-Za-z0-9_.\-]{0,60})\1(\s{0,4},\s{0,4})\1((?:[^"\\\r\n]|\\(?![\\"]))*)\1/g;

/**
 * A name/value pair written as attributes: NuGet's `<add key="ClearTextPassword" value="…" />`, .NET
 * `appSettings`: the value goes when the name names a secret.
 */
const NAMED_VALUE = /(\b(?:key|name)\s{0,4}=\s{0,4}(["']))([^"'\r\n]{1,100})\2(\s{1,8}value\s{0,4}=\s{0,4}(["']))([^"'\r\n]*)\5/gi;

function redactNamedValues(text: string, count: () => void): string {
  if (!/value\s{0,4}=/i.test(text)) return text;
  return text.replace(NAMED_VALUE, (match: string, head: string, q: string, name: string, middle: string, q2: string, value: string) => {
    const secretKey = classifySecretKey(name);
    if (secretKey === null || value === '' || value.startsWith(MARKER_PREFIX) || (secretKey.weak && weakValueKept(value))) return match;
    count();
    return `${head}${name}${q}${middle}${marker('secret_field')}${q2}`;
  });
}

// Only a key that names a secret makes this rule fire, and every such key contains MAYBE_SECRET.
const secretFieldPass: TextPass = {
  trigger: MAYBE_SECRET,
  apply: (text, count) => redactFlagValues(redactKeyValues(redactNamedValues(text, count), count), count),
};

// --- secrets in URL paths and query strings ------------------------------------------------------

/**
 * Services that put the credential in the URL path: the path's shape and the host stay, the token
 * segment goes. Each pattern starts at a host name guarded by a lookbehind on the host's own class.
 */
const URL_PATH_TOKENS: readonly RegExp[] = [
  // Slack: /services/T…/B…/<token>, /workflows/T…/A…/<id>/<token>, /triggers/T…/<id>/<token>.
  /(?<![A-Za-z0-9.\-])(hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/(?:[A-Za-z0-9_\-]{1,40}\/){1,4})([A-Za-z0-9_\-]{8,})/gi,
  // Discord (and discordapp.com, ptb./canary.): /api/webhooks/<id>/<token>.
  /(?<![A-Za-z0-9.\-])((?:[a-z]{1,10}\.)?discord(?:app)?\.com\/api\/(?:v\d{1,2}\/)?webhooks\/\d{1,25}\/)([A-Za-z0-9_\-]{8,})/gi,
  // Telegram: /bot<id>:<secret>/<method>, and /file/bot<id>:<secret>/<path>.
  /(?<![A-Za-z0-9.\-])(api\.telegram\.org\/(?:file\/)?bot)(\d{1,20}:[A-Za-z0-9_\-]{8,})/gi,
];

/**
 * Presigned-URL query parameters (S3 `X-Amz-Signature`/`X-Amz-Credential`, GCS `X-Goog-…`, Azure SAS
 * `sig`, CloudFront `Signature`): only in a query string (after `?`, `&`, or `&amp;`), so a crash
 * `signature=EXC_BAD_ACCESS` in prose stays.
 */
const URL_SIGNATURE =
  /([?&;](?:sig|signature|x-amz-signature|x-amz-credential|x-goog-signature|x-goog-credential)=)([^&#\s"'<>]+)/gi;

// --- Basic credentials outside a header -----------------------------------------------------------

const BASIC_CREDENTIAL = /(?<![A-Za-z0-9_])(basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
/** What a Basic credential decodes to: `user:password`, printable. */
const USER_COLON_PASSWORD = /^[^\x00-\x1f\x7f\ufffd:]*:[^\x00-\x1f\x7f\ufffd]*$/;

/** `Basic <base64>` is a credential only when it decodes to `user:password`; prose (`Basic auth`) stays. */
function isBasicCredential(token: string): boolean {
  if (token.length % 4 !== 0) return false;
  return USER_COLON_PASSWORD.test(Buffer.from(token, 'base64').toString('utf8'));
}

// --- the table --------------------------------------------------------------------------------

export const DEFAULT_RULES: readonly RedactionRule[] = [
  {
    name: 'private_key',
    description: 'PEM private key blocks (RSA, EC, OpenSSH, PKCS#8, PGP), also across lines',
    catches: [
      {
        text: 'key loaded: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3+Rk\n-----END RSA PRIVATE KEY----- done',
        secret: 'MIIEowIBAAKCAQEAq7BFUpkGp3+Rk',
      },
      {
        text: '{"level":50,"msg":"bad key","pem":"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n"}',
        secret: 'b3BlbnNzaC1rZXktdjEAAAAA',
      },
      { text: 'truncated -----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEF', secret: 'MIIEvQIBADANBgkqhkiG9w0BAQEF' },
      {
        text: 'key file ---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key"\nP2/56wAAAi4AAAA3aWYtbW9kbn\n---- END SSH2 ENCRYPTED PRIVATE KEY ----',
        secret: 'P2/56wAAAi4AAAA3aWYtbW9kbn',
      },
      {
        text: 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIPublicPart\nPrivate-Lines: 1\nAAAAIGPuttyPrivateBody58xyz\nPrivate-MAC: 3f2a9c1b8e4d4b7a9c2e1a2b3c4d5e6f',
        secret: 'AAAAIGPuttyPrivateBody58xyz',
      },
      {
        text: '{"level":40,"msg":"PuTTY-User-Key-File-3: ssh-rsa\\nPrivate-Lines: 2\\nAAAAgQCPuttyJson59a\\nAAAAQQDPuttyJson59b\\nPrivate-MAC: 0a1b2c3d4e5f60718293"}',
        secret: 'PuttyJson59',
      },
    ],
    keeps: [
      '-----BEGIN CERTIFICATE-----',
      'private key rotation finished in 12 ms',
      '-----BEGIN PUBLIC KEY-----',
      'PuTTY-User-Key-File-3: ssh-ed25519 Public-Lines: 2',
      '---- BEGIN SSH2 PUBLIC KEY ----',
    ],
    gate: ['PRIVATE KEY', 'Private-'],
    compile: () => {
      const putty = puttyKeyPass(marker('private_key'));
      return {
        trigger: /PRIVATE KEY|Private-Lines|Private-MAC|Private-Hash/,
        apply: (text, count, state) => putty.apply(privateKeyPass.apply(text, count, state), count, state),
      };
    },
  },
  {
    name: 'url_credentials',
    description: '`user:pass@` in URLs, and the `user:pass` of curl\'s `-u`/`--user`',
    catches: [
      { text: 'proxy https://bob:hunter2pass@proxy.corp.example:8080/path', secret: 'hunter2pass' },
      { text: '{"msg":"connect","url":"postgres://admin:s3cr3tPw@db.internal:5432/app"}', secret: 's3cr3tPw' },
      { text: 'curl -u bob:curlPw77 https://api.example.com/x', secret: 'curlPw77' },
      { text: "curl --user 'bob:curl Pw 88' https://api.example.com/x", secret: 'curl Pw 88' },
    ],
    keeps: ['https://chatgpt.com/backend-api/conversation?x=1#frag', 'app://codex/chat/8f3a?tab=2', 'ssh git@github.com:openai/codex.git', 'ps -u root:wheel'],
    gate: // Credentials in an URL need an `@`.
    ['@', 'curl'],
    compile: () => {
      const inUrl = patternPass(
        /(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*:\/\/)[^\s/?#@:]*:[^\s/?#@]*@/g,
        /:\/\//,
        (m, g) => (m.slice(g[0]!.length).startsWith(MARKER_PREFIX) ? null : `${g[0]}${marker('url_credentials')}@`),
      );
      // The option may be anywhere after `curl` on its line. A bounded window (or a stop at `;`, `&`)
      // would depend on how long the text before it was, and that shrinks as other rules redact it:
      // a second pass found options the first did not. The gap ends at the next `curl`, which starts
      // its own match, so each character is scanned for one `curl` only: linear.
      const curlUser = patternPass(
        /(?<![A-Za-z0-9_\-])(curl\b(?:(?!(?<![A-Za-z0-9_\-])curl\b)[^\r\n])*?\s(?:-u|--user)(?:\s+|=))(?:"([^"\r\n]*)(?:"|$)|'([^'\r\n]*)(?:'|$)|([^\s"']+))/g,
        /curl/,
        (_m, g) => {
          const value = g[1] || g[2] || g[3] || '';
          if (value.startsWith(MARKER_PREFIX)) return null;
          const q = g[1] ? '"' : g[2] ? "'" : '';
          return `${g[0]}${q}${marker('url_credentials')}${q}`;
        },
      );
      return {
        trigger: /:\/\/|curl/,
        apply: (text, count, state) => curlUser.apply(inUrl.apply(text, count, state), count, state),
      };
    },
  },
  {
    name: 'url_path_token',
    description: 'tokens carried in URL paths: Slack, Discord webhooks and Telegram bot URLs (host and path shape stay)',
    catches: [
      { text: 'notify https://hooks.slack.com/services/T0000/B0000/xSlackHookT0ken44abcdef ok', secret: 'xSlackHookT0ken44abcdef' },
      { text: '{"level":30,"msg":"post","url":"https://hooks.slack.com/workflows/T01/A02/123/wfT0ken45abcdef"}', secret: 'wfT0ken45abcdef' },
      { text: 'POST https://discord.com/api/webhooks/1234567890/dIsc0rdT0ken46-AbC_xyz failed', secret: 'dIsc0rdT0ken46-AbC_xyz' },
      { text: 'GET https://api.telegram.org/bot123456789:AAHtelegramT0ken47_xyz/sendMessage 200', secret: 'AAHtelegramT0ken47_xyz' },
    ],
    keeps: [
      'https://chatgpt.com/backend-api/chat/8f3a9c1b2d4e6f708192a3b4c5d6e7f8/messages?limit=20',
      'https://discord.com/channels/1234567890/9876543210',
      'https://api.telegram.org/bots/api',
      'see https://api.slack.com/messaging/webhooks for setup',
    ],
    gate: ['hooks.slack', 'discord', 'telegram.org', 'HOOKS.SLACK', 'DISCORD', 'TELEGRAM.ORG'],
    compile: () => {
      const passes = URL_PATH_TOKENS.map((pattern) => patternPass(pattern, /./, (_m, g) => `${g[0]}${marker('url_path_token')}`));
      return {
        trigger: /hooks\.slack|discord(?:app)?\.com|api\.telegram\.org/i,
        apply: (text, count, state) => passes.reduce((out, pass) => pass.apply(out, count, state), text),
      };
    },
  },
  {
    name: 'url_signature',
    description: 'presigned-URL query parameters (sig, signature, X-Amz-Signature, X-Amz-Credential, X-Goog-Signature, X-Goog-Credential)',
    catches: [
      {
        text: 'GET https://b.s3.amazonaws.com/k.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDamzCred48%2F20261121%2Fus-east-1&X-Amz-Signature=amzSig48cafe0123 200',
        secret: 'amzSig48cafe0123',
      },
      { text: 'GET https://b.s3.amazonaws.com/k.zip?X-Amz-Credential=AKIDamzCred49%2F20261121&X-Amz-Expires=300', secret: 'AKIDamzCred49' },
      { text: '{"msg":"download","url":"https://a.blob.core.windows.net/c/f?sv=2022-11-02&se=2026&sig=azSig50%2Bx%3D"}', secret: 'azSig50' },
      { text: 'fetch https://d111.cloudfront.net/x.png?Expires=1&Signature=cfSig51~abc&Key-Pair-Id=K2', secret: 'cfSig51' },
      { text: 'link https://x.example/dl?id=7&amp;sig=ampSig52', secret: 'ampSig52' },
    ],
    keeps: [
      'crash signature=EXC_BAD_ACCESS in Renderer',
      'GET https://x.example/api/signatures?page=2&sign=up 200',
      'https://b.s3.amazonaws.com/k.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300',
    ],
    gate: // `sig=`, `Signature=`, `X-Amz-Credential=` in any case.
    ['ig=', 'IG=', 'ure=', 'URE=', 'ial=', 'IAL='],
    compile: () => {
      const pass = patternPass(URL_SIGNATURE, /sig|credential/i, (_m, g) =>
        g[1]!.startsWith(MARKER_PREFIX) ? null : `${g[0]}${marker('url_signature')}`,
      );
      return pass;
    },
  },
  {
    name: 'auth_header',
    description: 'values of Authorization, Proxy-Authorization, Cookie and Set-Cookie headers (text or JSON keys)',
    catches: [
      { text: 'request headers Authorization: Basic dXNlcjpwYXNzd29yZA==', secret: 'dXNlcjpwYXNzd29yZA==' },
      { text: 'Cookie: __Secure-next-auth.session-token=abc123def456; cf_clearance=zzz', secret: 'abc123def456' },
      { text: 'set-cookie: sid=Zm9vYmFy9876; Path=/; HttpOnly', secret: 'Zm9vYmFy9876' },
      { text: '{"level":30,"req":{"headers":{"authorization":"Basic Zm9vOmJhcg==","host":"x"}}}', secret: 'Zm9vOmJhcg==' },
      {
        text: 'Authorization: Digest username="ada", realm="x", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/", response="6629fae49393a05397450978507c4ef1"',
        secret: '6629fae49393a05397450978507c4ef1',
      },
      { text: 'Authorization: Digest username="ada", realm="x", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", response="x"', secret: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' },
      { text: 'Authorization: Digest username="digestUser41", realm="x"', secret: 'digestUser41' },
      { text: 'proxy said 407, sent Proxy-Authorization: Basic cHJveHk6cHJveHlQdzQy', secret: 'cHJveHk6cHJveHlQdzQy' },
      { text: "{'proxy-authorization': 'Digest username=\"pu43\", response=\"r43abc\"', 'host': 'x'}", secret: 'r43abc' },
    ],
    keeps: [
      'authorization failed: 401 Unauthorized',
      'cookie banner dismissed',
      '{"headers":{"accept":"application/json"}}',
      'WWW-Authenticate: Digest realm="x", qop="auth"',
    ],
    compile: () =>
      patternPass(
        // An unquoted value (`Cookie: sid=x; a="b"`) runs to the end of the line, quotes and all: stopping
        // at a quote left what follows (`-token 'x'`) without the key the header had swallowed. A quoted
        // one (`"cookie":"x"`) runs to its closing quote, but a quoted auth-param after `name=`
        // (`Digest username="ada", response="…"`) is part of it; the name is a word, so base64 padding
        // (`Basic Zm9v==",`) opens none. Each alternative starts with a different character, so the
        // repetition cannot backtrack.
        /(?<![A-Za-z0-9_\-])((?:proxy-)?authorization|set-cookie|cookie)(?:(\s{0,8}[:=]\s{0,8})([^\s"'][^\r\n]*)|(["']?\s{0,8}[:=]\s{0,8}["']?)((?:[^\r\n"']|(?<=[A-Za-z0-9_\-]=\s{0,8})"[^"\r\n]*(?:"|$)|(?<=[A-Za-z0-9_\-]=\s{0,8})'[^'\r\n]*(?:'|$))+))/gi,
        /authorization|cookie/i,
        (_m, g) => {
          const separator = g[1] || g[3] || '';
          const value = g[2] || g[4] || '';
          return value.startsWith(MARKER_PREFIX) ? null : `${g[0]}${separator}${marker('auth_header')}`;
        },
      ),
    gate: ['uthoriz', 'UTHORIZ', 'ookie', 'OOKIE'],
  },
  {
    name: 'basic_auth',
    description: 'Basic credentials (`Basic <base64 of user:password>`) outside an Authorization header',
    catches: [
      { text: 'retry with basic Ym9iOmJhc2ljUHc1Mw== after 401', secret: 'Ym9iOmJhc2ljUHc1Mw==' },
      { text: '{"level":40,"msg":"auth","sent":["Basic YWRhOmJhc2ljUHc1NA=="]}', secret: 'YWRhOmJhc2ljUHc1NA==' },
    ],
    keeps: ['Basic authentication failed', 'basic plan: 1234 requests', 'Basic QUJDRA== is not user:password'],
    gate: ['asic', 'ASIC'],
    compile: () =>
      patternPass(BASIC_CREDENTIAL, /basic/i, (_m, g) => (isBasicCredential(g[2]!) ? `${g[0]}${g[1]}${marker('basic_auth')}` : null)),
  },
  {
    name: 'bearer',
    description: 'bearer tokens',
    catches: [
      { text: 'fetch with bearer 0a1b2c3d4e5f6a7b8c9d', secret: '0a1b2c3d4e5f6a7b8c9d' },
      { text: '{"msg":"retry","auth":"x","note":"Bearer AbCdEf0123456789xyz"}', secret: 'AbCdEf0123456789xyz' },
    ],
    keeps: ['the bearer token expired', 'Bearer authentication failed'],
    gate: ['earer', 'EARER'],
    compile: () =>
      patternPass(
        /(?<![A-Za-z0-9_])(bearer)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi,
        /bearer/i,
        (_m, g) => {
          const token = g[2]!;
          // A plain word after "bearer" is prose, not a token.
          if (/^[A-Za-z]+$/.test(token) && token.length < 20) return null;
          return `${g[0]}${g[1]}${marker('bearer')}`;
        },
      ),
  },
  tokenRule(
    'anthropic_key',
    'Anthropic API keys (sk-ant-...)',
    /(?<![A-Za-z0-9_\-])sk-ant-[A-Za-z0-9_\-]{16,}/g,
    /sk-ant-/,
    [{ text: 'ANTHROPIC key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz0123', secret: 'AbCdEfGhIjKlMnOpQrStUvWx' }],
    ['task-ant-runner', 'sk-ant-short'],
    ['sk-ant-'],
  ),
  tokenRule(
    'openai_key',
    'OpenAI API keys (sk-..., sk-proj-...)',
    /(?<![A-Za-z0-9_\-])sk-[A-Za-z0-9_\-]{20,}/g,
    /sk-/,
    [
      { text: 'using key sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345', secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345' },
      { text: '{"msg":"init","cfg":{"k":"sk-AbCdEfGhIjKlMnOpQrStT3BlbkFJ0123"}}', secret: 'AbCdEfGhIjKlMnOpQrStT3BlbkFJ0123' },
    ],
    ['task-scheduler-long-running-job-name', 'risk-assessment', 'sk-short'],
    ['sk-'],
  ),
  tokenRule(
    'github_token',
    'GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)',
    /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
    /gh[pousr]_|github_pat_/,
    [
      { text: 'git push with ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789' },
      { text: 'GITHUB=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', secret: '11ABCDEFG0123456789_abcdefghij' },
      { text: '{"t":"ghs_0123456789abcdefghijABCDEFGHIJ0123"}', secret: '0123456789abcdefghijABCDEFGHIJ0123' },
    ],
    ['ghp_short', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  ),
  tokenRule(
    'aws_access_key',
    'AWS access key ids (AKIA..., ASIA...)',
    /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    /AKIA|ASIA/,
    [{ text: 'aws id AKIAIOSFODNN7EXAMPLE region us-east-1', secret: 'AKIAIOSFODNN7EXAMPLE' }],
    ['ASIAN market', 'AKIA123'],
    ['AKIA', 'ASIA'],
  ),
  tokenRule(
    'slack_token',
    'Slack tokens (xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr-)',
    /(?<![A-Za-z0-9_\-])xox[abposr]-[A-Za-z0-9\-]{10,}/g,
    /xox/,
    [{ text: 'slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp', secret: '1234567890123-AbCdEfGhIjKlMnOp' }],
    ['xoxb-short'],
    ['xox'],
  ),
  tokenRule(
    'google_api_key',
    'Google API keys (AIza...)',
    /(?<![A-Za-z0-9_\-])AIza[A-Za-z0-9_\-]{30,}/g,
    /AIza/,
    [{ text: 'maps key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW ok', secret: 'SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW' }],
    ['AIzaShort'],
    ['AIza'],
  ),
  tokenRule(
    'stripe_key',
    'Stripe secret and restricted keys (sk_live_, rk_live_, and their _test_ forms)',
    /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g,
    /[sr]k_(?:live|test)_/,
    [{ text: 'charge via sk_live_51AbCdEfGhIjKlMnOpQrStUv', secret: '51AbCdEfGhIjKlMnOpQrStUv' }],
    ['pk_live_is_public', 'sk_live_x'],
    ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
  ),
  tokenRule(
    'npm_token',
    'npm access tokens (npm_...)',
    /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36,}/g,
    /npm_/,
    [{ text: '//registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789' }],
    ['npm_config_cache', 'npm_lifecycle_event=test'],
    ['npm_'],
  ),
  tokenRule(
    'huggingface_token',
    'Hugging Face tokens (hf_...)',
    /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g,
    /hf_/,
    [{ text: 'HF hub hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567', secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz01234567' }],
    ['hf_transfer enabled', 'shelf_life'],
    ['hf_'],
  ),
  tokenRule(
    'jwt',
    'JSON Web Tokens (eyJ....eyJ....sig)',
    /(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*/g,
    /eyJ/,
    [
      {
        text: 'id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
        secret: 'eyJzdWIiOiIxMjM0NTY3ODkwIn0',
      },
    ],
    ['eyJ alone', 'version 1.2.3'],
    ['eyJ'],
  ),
  {
    name: 'provider_token',
    description:
      'tokens of the provider catalogue (src/bundle/provider-catalogue.ts: about 200 formats by prefix, such as glpat-, gsk_, xai-, r8_, pplx-, GOCSPX-, ya29., dop_v1_, hvs., sntryu_, SG., whsec_, shpat_, dckr_pat_, pypi-AgEI, AGE-SECRET-KEY-1, and by shape, such as Telegram bot tokens and Entra client secrets); the prefix stays',
    catches: [
      { text: '{"level":50,"msg":"401 from gitlab: credential glpat-Xy9kQ2mN8pL4vR7tW3zA was rejected"}', secret: 'Xy9kQ2mN8pL4vR7tW3zA' },
      { text: 'groq key 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 failed', secret: '4fWq9ZkL2mNp8RtV3xYb7HcJ5dGs1AeU6iOo0PqRsTuVwXyZ12ab' },
      { text: 'export SENTRY_AUTH=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', secret: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' },
      { text: 'bot 7312458890:AAFq3vX9kLm2Np8Rt4Ws6Yz1Bc5De7Fg0Hi online', secret: 'AAFq3vX9kLm2Np8Rt4Ws6Yz1Bc5De7Fg0Hi' },
      { text: 'entra secret xYz8Q~Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv in config', secret: 'Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv' },
      { text: 'sendgrid 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 rejected', secret: 'sT7uV9wX1yZ3aB5cD7eF9gH1jK3lM5nP7qR9sT1uV3w' },
    ],
    keeps: ['glpat-short', 'pa-some-long-kebab-case-identifier-name-here', 'the sk_ prefix and key-value store', 'task-ant-runner'],
    tokenShaped: true,
    runLiterals: {
      literals: [...PROVIDER_FORMATS.map((f) => f.prefix), ...ANCHOR_LITERALS],
      lookback: PROVIDER_LOOKBACK,
      // A prefix's own formats bound how far before their run it starts (`glpat-` 0, `ya29.` 5, `pat` 18).
      lookbacks: [...PROVIDER_FORMATS.map((f) => PREFIX_LOOKBACK.get(f.prefix)!), ...ANCHOR_LITERALS.map(() => PROVIDER_LOOKBACK)],
    },
    gate: ANCHOR_LITERALS,
    compile: () => providerTokenPass(marker('provider_token')),
  },
  {
    name: 'secret_field',
    description:
      'values of JSON keys and KEY=value / key: value pairs whose name is a secret (password, secret, token, api_key, apikey, auth, credential, private_key, session, cookie, *_API_KEY, *_TOKEN, *_SECRET, *_PASSWORD); token counts are not secrets',
    catches: [
      { text: 'login password=hunter2 user=bob', secret: 'hunter2' },
      { text: 'basic auth=user:pa55=word end', secret: 'pa55=word' },
      { text: 'env OPENAI_API_KEY=abc123notprefixed GITHUB_TOKEN=tok987654', secret: 'abc123notprefixed' },
      { text: 'env GITHUB_TOKEN=tok987654 MY_SECRET=shh-its-secret', secret: 'tok987654' },
      { text: 'db DB_PASSWORD="correct horse battery" host=x', secret: 'correct horse battery' },
      { text: '{"level":30,"msg":"cfg","config":{"nested":[{"client_secret":"cs-0001-xyz"}]}}', secret: 'cs-0001-xyz' },
      { text: '{"msg":"x","apiKey":"kkkk-1111","sessionId":"sess-7777","credentials":{"user":"u1","pw":"p-2222"}}', secret: 'p-2222' },
      { text: '{"msg":"x","apiKey":"kkkk-1111"}', secret: 'kkkk-1111' },
      { text: '{"msg":"x","sessionId":"sess-7777"}', secret: 'sess-7777' },
      { text: "broken json {'private_key': 'pk-material-42'", secret: 'pk-material-42' },
      { text: 'cut {"auth":{"user":"u9","pw":"p-3333"},"more":', secret: 'p-3333' },
      { text: 'GET /cb?code=1&access_token=at-55aa66bb&state=ok', secret: 'at-55aa66bb' },
      { text: 'redirect url=https://x.example/cb?token=tk-4242abcd', secret: 'tk-4242abcd' },
      { text: 'args cmd="login --x password=pw-9090 --y"', secret: 'pw-9090' },
      { text: 'spawn codex --password hunter2flag --api-key=abc123flag --user bob', secret: 'hunter2flag' },
      { text: 'spawn codex --api-key=abc123flag --user bob', secret: 'abc123flag' },
      { text: "spawn codex -token 'tok flag 33'", secret: 'tok flag 33' },
      { text: 'token request body grant_type=authorization_code&code_verifier=pkceVerifier68abcdef&client_id=x', secret: 'pkceVerifier68abcdef' },
      { text: 'PGPASSWORD=pgPw70abc MYSQL_PWD=myPw71abc SMTP_PASS=smtpPw72 GITLAB_PAT=patVal73x', secret: 'pgPw70abc' },
      { text: 'cfg AccountKey=acctKey74+abc==;SharedAccessKey=sasKey75/abc=', secret: 'acctKey74' },
      { text: '<add key="ClearTextPassword" value="nugetPw76x" />', secret: 'nugetPw76x' },
      { text: '{"level":30,"msg":"spawn args: [\\"--db-password\\",\\"dbPw77xyz\\"]"}', secret: 'dbPw77xyz' },
      { text: "$cfg = array('password' => 'phpPw34', 'user' => 'bob')", secret: 'phpPw34' },
      { text: '2026-11-21T00:00:00Z info body="{\\"password\\":\\"esc-pw-31\\",\\"user\\":\\"bob\\"}"', secret: 'esc-pw-31' },
      { text: 'request Request { body: "{\\"api_key\\": \\"esc key 32\\"}" }', secret: 'esc key 32' },
      { text: 'msg="retry\\npassword=escNl35\\ttoken: escTab36"', secret: 'escNl35' },
      { text: 'msg="retry\\npassword=escNl35\\ttoken: escTab36"', secret: 'escTab36' },
      { text: 'args="--password flagPw39\\t--token flagTok39"', secret: 'flagTok39' },
      { text: 'body="{\\"a\\":\\"db DB_PASSWORD=\\\\\\"correct horse 37\\\\\\" host=x\\"}"', secret: 'correct horse 37' },
      {
        text: 'request body="{\\"Authorization\\":\\"Digest username=\\\\\\"ada\\\\\\", response=\\\\\\"escResp38\\\\\\"\\",\\"host\\":\\"x\\"}"',
        secret: 'escResp38',
      },
    ],
    keeps: [
      'usage input_tokens: 1234 output_tokens: 56 max_tokens=4096',
      '{"level":30,"msg":"usage","usage":{"input_tokens":1234,"cached_tokens":0,"max_tokens":4096,"token_count":12}}',
      '{"msg":"auth","auth_type":"oauth","token_type":"Bearer","author":"Jane"}',
      'tokenizer=cl100k_base keyboard=us',
      'run --token-count 5 --max-tokens 100 --no-auth --port 80',
      'ipc auth:status -> ok; ipc auth:logout',
      'Codex --password-store=basic --auth-server-allowlist=*.corp.example.com',
      '{"level":30,"msg":"keydown","key":"Enter","sortKey":"createdAt","PWD":"/opt/app"}',
    ],
    compile: () => {
      const gate = createSecretKeyGate();
      return { ...secretFieldPass, gate, wordGate: gate };
    },
  },
  {
    name: 'command_password',
    description: 'the password option of commands that take one on the command line: docker/podman/helm login -p, twine -p, sshpass -p, mysql -pSECRET, redis-cli -a',
    catches: [
      { text: 'exec: docker login -u bob -p dockerPw61 registry.example.com', secret: 'dockerPw61' },
      { text: 'twine upload -u __token__ -p twinePw62 dist/*', secret: 'twinePw62' },
      { text: 'mysql -h db -u root -pMysqlPw63 app', secret: 'MysqlPw63' },
      { text: "sshpass -p 'sshPw 64' ssh bob@host", secret: 'sshPw 64' },
      { text: 'redis-cli -h cache -a redisPw65 ping', secret: 'redisPw65' },
    ],
    keeps: ['docker run -p 8080:80 nginx', 'mysql -p app (prompts for the password)', 'psql -p 5432 -h db'],
    gate: [' -p', ' -a', '\t-p', '--password'],
    compile: () => commandPasswordPass(marker('command_password')),
  },
  {
    name: 'oauth_code',
    description: 'OAuth authorization codes and PKCE verifiers in redirects: code= on loopback hosts, custom schemes or beside state=; code_verifier=, device_code=, oauth_verifier= anywhere',
    catches: [
      { text: 'GET http://localhost:1455/auth/callback?code=ac_66Xyz.abcDEF&scope=openid 200', secret: 'ac_66Xyz.abcDEF' },
      { text: 'open-url codex://auth/callback?code=deepLink67Code&state=s1', secret: 'deepLink67Code' },
      { text: 'redirect http://127.0.0.1:8080/cb#state=s2&code=fragCode69', secret: 'fragCode69' },
    ],
    keeps: ['GET https://example.com/search?code=python&lang=en 200', 'exit code=1 signal=null', 'code_challenge_method=S256'],
    gate: ['code=', 'CODE=', 'Code=', 'verifier=', 'VERIFIER='],
    compile: () => oauthCodePass(marker('oauth_code')),
  },
  {
    name: 'generic_secret',
    description:
      'free-standing random-looking tokens: 20+ base64/base64url characters with upper case, lower case and digits, high entropy and short class runs (UUIDs, hex hashes, ids with a known prefix, labelled digests, words and identifiers stay)',
    catches: [
      { text: 'retrying with credential qX7mB2vN9kL4pR8tW3zY6cF1hJ5dG0sA for upload', secret: 'qX7mB2vN9kL4pR8tW3zY6cF1hJ5dG0sA' },
      { text: '{"level":40,"msg":"handshake","value":"Zk3Jq8Wm2Xv7Tn5Rb9Lc4Hp6Fd1Gs0Ae"}', secret: 'Zk3Jq8Wm2Xv7Tn5Rb9Lc4Hp6Fd1Gs0Ae' },
      { text: 'secret blob r8Fq2Lx+Tm9Wz/Kc4Vb7Nd1Hs6Jp3Ga0Ye5Ru== leaked', secret: 'Kc4Vb7Nd1Hs6Jp3Ga0Ye5Ru' },
    ],
    keeps: [
      'conversation 3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f resumed',
      'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
      'getUserByIdFromCache2 threw ERR_NAME_NOT_RESOLVED in ApplicationSupportDirectory',
      '"integrity":"sha512-AbCdEf0123456789GhIjKlMnOpQrStUvWxYz9876543210abcdEFGH=="',
      'request req_011CUbYx6hFvBzqRf8ECkxQm failed with 529',
      'loaded /Applications/Codex.app/Contents/Frameworks/Electron Framework.framework/Versions/A',
    ],
    tokenShaped: true,
    runNeedsMixedClasses: true,
    compile: () => genericTokenPass(marker('generic_secret')),
  },
  {
    name: 'email',
    description: 'e-mail addresses',
    catches: [
      { text: 'signed in as jane.doe+codex@example.co.uk today', secret: 'jane.doe+codex' },
      { text: '{"msg":"account","user":{"email":"ops@openai.com"}}', secret: 'ops@openai.com' },
      { text: 'GET /authorize?login_hint=dana.smith%40corp.example.com&client_id=x', secret: 'dana.smith' },
      { text: 'mail from josé.garcía@correo.es and user@exämple.de', secret: 'josé.garcía' },
      { text: 'to 用户名@例子.中国 ok', secret: '用户名' },
    ],
    keeps: ['installed react@18.2.0 and @scope/pkg@1.0.0', 'node@20.19 on port 8080'],
    gate: ['@', '%40'],
    compile: () =>
      patternPass(
        // `%40` is an URL-encoded `@` (a login hint in a query string). Letters and digits of any
        // script: `josé@correo.es`, `用户@例子.中国` are addresses too. The match runs on to the end of a
        // word glued to the address (`a@b.de-task-x`): a cut mid-word would leave `-task-x` after the
        // marker, where it starts an option (`--token`) that the key rule saw no start of the first time.
        /(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]+(?:@|%40)[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}[\p{L}\p{N}\-]*/gu,
        /@|%40/,
        // `git@host:org/repo` is an ssh remote, not a person.
        (m) => (m.startsWith('git@') ? null : marker('email')),
      ),
  },
  HOME_DIR_RULE,
  USER_NAME_RULE,
];
