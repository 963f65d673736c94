import { isJsSpace } from './js-space.js';
import type { RedactionRule, TextPass } from './redaction-rules.js';
import { escapeRegExp } from './literal-alternation.js';

/**
 * The user's home directory and login name in paths. Both run on every raw log line (a log written by
 * the app names the user's home on most lines), so the common case is an `indexOf` loop with boundary
 * checks by character code, not a regex with lookarounds over the whole line: a line without the name
 * costs one native search.
 */

/** Where the home directory may not continue before it: `[A-Za-z0-9_.-]` (`/x/home/al` is not `/home/al`). */
function extendsPathBefore(c: number): boolean {
  return isWordChar(c) || c === 0x2e /* . */ || c === 0x2d /* - */;
}

/** Where the home directory may not continue after it: `[A-Za-z0-9_-]` (`/home/alice2` is not `/home/alice`). */
function extendsPathAfter(c: number): boolean {
  return isWordChar(c) || c === 0x2d;
}

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * Replaces each occurrence of `literal` that `accepts` (by its position), left to right and without
 * overlap, as a global regex with lookarounds would; `count` once per replacement.
 */
function replaceLiteral(
  text: string,
  literal: string,
  replacement: string,
  accepts: (text: string, start: number, end: number) => boolean,
  count: () => void,
): string {
  let at = text.indexOf(literal);
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const end = at + literal.length;
    if (accepts(text, at, end)) {
      out += text.slice(copied, at) + replacement;
      count();
      copied = end;
      at = text.indexOf(literal, end);
    } else {
      at = text.indexOf(literal, at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A path separator as written or URL-encoded (`/`, `\`, `%2F`, `%5C`) ends at `end`. */
function separatorEndsAt(text: string, end: number): boolean {
  const c = text.charCodeAt(end - 1);
  if (c === 0x2f || c === 0x5c) return true;
  return end >= 3 && text.charCodeAt(end - 3) === 0x25 /* % */ && isEncodedSeparator(text.charCodeAt(end - 2), text.charCodeAt(end - 1));
}

/** After a path segment: a separator (as written or URL-encoded), a space, a quote, `:`, or the end. */
function segmentEndsAt(text: string, at: number): boolean {
  if (at >= text.length) return true;
  const c = text.charCodeAt(at);
  if (c === 0x2f || c === 0x5c || c === 0x22 || c === 0x27 || c === 0x3a || isJsSpace(c)) return true;
  return c === 0x25 && at + 2 < text.length && isEncodedSeparator(text.charCodeAt(at + 1), text.charCodeAt(at + 2));
}

/** `2F`/`2f` (`/`) or `5C`/`5c` (`\`) after a `%`. */
function isEncodedSeparator(first: number, second: number): boolean {
  return (first === 0x32 && (second === 0x46 || second === 0x66)) || (first === 0x35 && (second === 0x43 || second === 0x63));
}

/** `regex` (global) replaced by `replace(match, groups)`, or kept where it returns null; `count` per replacement. */
function replaceMatches(text: string, regex: RegExp, replace: (groups: string[]) => string | null, count: () => void): string {
  regex.lastIndex = 0;
  return text.replace(regex, (match: string, ...rest: unknown[]) => {
    const groups = rest.filter((g): g is string => typeof g === 'string' || g === undefined).map((g) => g ?? '');
    const out = replace(groups);
    if (out === null) return match;
    count();
    return out;
  });
}

export const HOME_DIR_RULE: RedactionRule = {
  name: 'home_dir',
  description: "the user's home directory, replaced by ~",
  catches: [
    { text: 'at load (/home/alice/work/app/index.js:10:3)', secret: '/home/alice' },
    { text: '{"msg":"open","file":"/home/alice/.codex/config.toml"}', secret: '/home/alice' },
  ],
  keeps: ['/opt/codex/bin', 'homedir setting unchanged'],
  compile: (context) => {
    const home = context.homedir.replace(/[\\/]+$/, '');
    if (home.length < 2) return null;
    const variants = [...new Set([home, home.replace(/\\/g, '/'), home.replace(/\\/g, '\\\\')])].sort((a, b) => b.length - a.length);
    // Windows paths compare case-insensitively.
    const windows = /^[A-Za-z]:/.test(home);
    const lastSegment = home.split(/[\\/]/).pop() ?? home;
    // Guarded on both sides: home `/root` is not the tail of `/home/root`, nor `/home/al` of `/home/alice`.
    const accepts = (text: string, start: number, end: number) =>
      (start === 0 || !extendsPathBefore(text.charCodeAt(start - 1))) && (end >= text.length || !extendsPathAfter(text.charCodeAt(end)));
    const trigger = new RegExp(escapeRegExp(lastSegment), windows ? 'i' : '');
    const pattern = new RegExp(`(?<![A-Za-z0-9_.\\-])(?:${variants.map(escapeRegExp).join('|')})(?![A-Za-z0-9_\\-])`, windows ? 'gi' : 'g');
    const pass: TextPass =
      !windows && variants.length === 1
        ? {
            trigger,
            apply: (text, count) => replaceLiteral(text, home, '~', accepts, count),
            gate: (text) => text.includes(lastSegment),
          }
        : {
            trigger,
            apply: (text, count) => {
              if (!trigger.test(text)) return text;
              return replaceMatches(text, pattern, () => '~', count);
            },
            gate: (text) => trigger.test(text),
          };
    return { ...pass, lineSafe: true, gateLiterals: { literals: [lastSegment], caseless: windows } };
  },
};

/** `/home/`, `/Users/`, `C:\Users\` in any case (`sers\`, `SERS/`), `Documents and Settings`. */
const PATH_LITERALS = ['/home', 'sers/', 'sers\\', 'SERS/', 'SERS\\', 'Documents and Settings'];
/** Whether a text holds one of PATH_LITERALS: one scan instead of six. */
const PATH_LITERAL = /\/home|sers[/\\]|SERS[/\\]|Documents and Settings/;
/** A home directory's parent, then the user's directory (Windows paths in any case, `\\` escaped in JSON). */
const USER_DIRECTORY = /((?:\/home|\/Users|[A-Za-z]:(?:\\\\|\\|\/)(?:[Uu][Ss][Ee][Rr][Ss]|Documents and Settings))(?:\\\\|\\|\/))([^/\\\s"'<>:*?|[\]]+)/g;
/** Every USER_DIRECTORY match holds one of these: one native search before the regex with its groups. */
const HOME_PARENT = /\/home|[Uu][Ss][Ee][Rr][Ss]|Documents and Settings/;
const SHARED_DIRECTORY = /^(?:Shared|Public|Default|All Users)$/i;

export const USER_NAME_RULE: RedactionRule = {
  name: 'user_name',
  description: 'user names in paths (/home/<u>, /Users/<u>, C:\\Users\\<u>, and the login name as a path segment), replaced by [user]',
  catches: [
    { text: 'crash in /Users/bob/Library/Logs/x.log', secret: '/Users/bob' },
    { text: 'open C:\\Users\\carol\\AppData\\Roaming\\x', secret: 'Users\\carol' },
    { text: 'tmp /var/folders/alice/cache', secret: 'folders/alice' },
    { text: 'shared /home/alicia/notes.txt', secret: 'home/alicia' },
    { text: 'open c:\\users\\carol2\\appdata\\x and C:\\Documents and Settings\\dave3\\x', secret: 'carol2' },
    { text: 'open file%3A%2F%2FC%3A%5CUsers%5Calice%5CAppData', secret: '%5Calice%5C' },
  ],
  keeps: ['/usr/share/users/list', 'the user alice-is-not-a-path'],
  compile: (context) => {
    // Any user's directory under a home parent; the text is searched for a parent's name first.
    const userDirectories = (text: string, count: () => void): string => {
      if (!HOME_PARENT.test(text)) return text;
      return replaceMatches(text, USER_DIRECTORY, (g) => (SHARED_DIRECTORY.test(g[1]!) ? null : `${g[0]}[user]`), count);
    };
    const name = context.username;
    if (name.length < 2) {
      return {
        trigger: /home|users|Documents and Settings/i,
        lineSafe: true,
        apply: (text, count) => userDirectories(text, count),
        gate: (text) => PATH_LITERAL.test(text),
        gateLiterals: { literals: PATH_LITERALS },
      };
    }
    // The login name as a whole path segment, also between URL-encoded separators (`C%3A%5CUsers%5Cdana%5C...`).
    const segment = (text: string, start: number, end: number) => start > 0 && separatorEndsAt(text, start) && segmentEndsAt(text, end);
    return {
      trigger: new RegExp(`home|Users|${escapeRegExp(name)}`),
      lineSafe: true,
      gate: (text) => text.includes(name) || PATH_LITERAL.test(text),
      gateLiterals: { literals: [name, ...PATH_LITERALS] },
      apply: (text, count) => replaceLiteral(userDirectories(text, count), name, '[user]', segment, count),
    };
  },
};
