import type { TextPass } from './redaction-rules.js';

/**
 * Passes for secrets that only their surroundings give away: a password option of a known command
 * (`docker login -p x`, `mysql -px`, `sshpass -p x`), an OAuth authorization code in a redirect
 * (`http://127.0.0.1:1455/callback?code=…`, `codex://auth?code=…`), and the private half of a PuTTY
 * key file.
 */

const MARKER_PREFIX = '[REDACTED:';

/**
 * Commands whose `-p`/`--password` is a password, and the form it takes there. The gap between the
 * command and the option ends at the next mention of a command of the same family, which starts its
 * own match: each character is scanned for one mention only (linear, as curl's `-u` rule).
 */
const COMMAND_FAMILIES: ReadonlyArray<{ commands: string; subcommand?: string; option: string; attached: boolean; spaced: boolean }> = [
  // `docker login -p x`, `podman login --password=x` (docker run -p is a port: login must come first).
  { commands: String.raw`(?:docker|podman|nerdctl|buildah|skopeo|finch|oras|crane|helm)`, subcommand: 'login', option: '-p', attached: false, spaced: true },
  { commands: String.raw`twine`, option: '-p', attached: false, spaced: true },
  { commands: String.raw`sshpass`, option: '-p', attached: true, spaced: true },
  // mysql's `-p x` prompts and takes x as the database; only `-px` is a password.
  { commands: String.raw`(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)`, option: '-p', attached: true, spaced: false },
  { commands: String.raw`redis-cli`, option: '-a', attached: true, spaced: true },
];

const VALUE = String.raw`(?:"([^"\r\n]*)(?:"|$)|'([^'\r\n]*)(?:'|$)|([^\s"'\\]+))`;

function commandPattern(family: (typeof COMMAND_FAMILIES)[number]): RegExp {
  const separator = family.attached && family.spaced ? String.raw`(?:=|[ \t]+)?` : family.attached ? '' : String.raw`(?:=|[ \t]+)`;
  const mention = String.raw`(?<![A-Za-z0-9_\-])${family.commands}\b`;
  const gap = String.raw`(?:(?!${mention})[^\r\n])*?`;
  const sub = family.subcommand ? String.raw`[ \t]${family.subcommand}\b${gap}` : '';
  const head = String.raw`${mention}${gap}${sub}[ \t](?:${family.option}`;
  const long = family.spaced ? String.raw`|--password(?:=|[ \t]+)` : '';
  return new RegExp(`(${head}${separator}${long}))${VALUE}`, 'g');
}

export function commandPasswordPass(marker: string): TextPass {
  const patterns = COMMAND_FAMILIES.map(commandPattern);
  return {
    trigger: /docker|podman|nerdctl|buildah|skopeo|finch|oras|crane|helm|twine|sshpass|mysql|mariadb|redis-cli/i,
    apply(text, count) {
      let out = text;
      for (const pattern of patterns) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, (match: string, head: string, dq?: string, sq?: string, bare?: string) => {
          const value = dq ?? sq ?? bare ?? '';
          if (value === '' || value.startsWith(MARKER_PREFIX) || value.startsWith('-')) return match;
          count();
          const q = dq !== undefined ? '"' : sq !== undefined ? "'" : '';
          return `${head}${q}${marker}${q}`;
        });
      }
      return out;
    },
  };
}

/** Query and fragment parameters that carry an OAuth secret wherever they appear. */
const ALWAYS_SECRET_PARAMS = new Set(['code_verifier', 'device_code', 'oauth_verifier', 'auth_code', 'authorization_code', 'user_code']);
const OAUTH_PARAM = /([?&#;](code|code_verifier|device_code|oauth_verifier|auth_code|authorization_code|user_code)=)([^&#\s"'<>\\]+)/g;
/** Where an URL starts: after whitespace, a quote or a bracket. */
const URL_START = /[\s"'<>()[\]{}]/;
const LOOPBACK = /^[a-z][a-z0-9+.\-]*:\/\/(?:[^/\s@]*@)?(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|0\.0\.0\.0)(?:[:/?#]|$)/i;
const WEB_SCHEME = /^(?:https?|wss?):\/\//i;
/** How far back the start of an URL is looked for. */
const URL_LOOKBACK = 2048;

/**
 * `code=` is an authorization code in a redirect: on a loopback host, under a custom scheme (a deep
 * link), or beside `state=`; elsewhere (`/search?code=python`) it stays. `code_verifier=`,
 * `device_code=` and the like go wherever they are.
 */
export function oauthCodePass(marker: string): TextPass {
  return {
    trigger: /code=|code_verifier|device_code|oauth_verifier|user_code/i,
    apply(text, count) {
      OAUTH_PARAM.lastIndex = 0;
      return text.replace(OAUTH_PARAM, (match: string, head: string, name: string, value: string, offset: number) => {
        if (value.startsWith(MARKER_PREFIX)) return match;
        if (!ALWAYS_SECRET_PARAMS.has(name.toLowerCase()) && !inRedirect(text, offset)) return match;
        count();
        return `${head}${marker}`;
      });
    },
  };
}

function inRedirect(text: string, paramAt: number): boolean {
  let start = paramAt;
  const floor = Math.max(0, paramAt - URL_LOOKBACK);
  while (start > floor && !URL_START.test(text[start - 1]!)) start--;
  let end = paramAt + 1;
  while (end < text.length && end - paramAt < URL_LOOKBACK && !URL_START.test(text[end]!)) end++;
  const url = text.slice(start, end);
  const scheme = /^[a-z][a-z0-9+.\-]*:/i.exec(url);
  if (!scheme) return /[?&#]state=/.test(url);
  if (!WEB_SCHEME.test(url) && !/^(?:file|data|blob|about|javascript|mailto):/i.test(url)) return true;
  return LOOPBACK.test(url) || /[?&#]state=/.test(url);
}

// --- PuTTY key files ------------------------------------------------------------------------------

const PUTTY_PRIVATE = /(Private-Lines:[ \t]*)(\d{1,3})((?:\r?\n|(?:\\r)?\\n)?)((?:[A-Za-z0-9+/=]{1,100}(?:\r?\n|(?:\\r)?\\n|$))*)/g;
const PUTTY_MAC = /(Private-(?:MAC|Hash):[ \t]*)([0-9a-fA-F]{16,})/g;
/** A body line: base64, maybe after a log line's own prefix (`<time> info AAAA…`). */
const BASE64_LINE = /^(.*?)(?<![A-Za-z0-9+/=])[A-Za-z0-9+/=]{4,100}\s*$/;

/**
 * PuTTY's `.ppk`: the lines after `Private-Lines: N` are the private key, and `Private-MAC:` checks it.
 * In one text the body goes up to its last base64 line; printed line by line, the next N lines go.
 */
export function puttyKeyPass(marker: string): TextPass {
  return {
    trigger: /Private-Lines|Private-MAC|Private-Hash/,
    apply(text, count, state) {
      if (state.puttyLines !== undefined && state.puttyLines > 0) {
        const line = BASE64_LINE.exec(text);
        if (line) {
          state.puttyLines--;
          count();
          return `${line[1]}${marker}`;
        }
        state.puttyLines = 0;
      }
      if (!text.includes('Private-')) return text;
      let out = text;
      PUTTY_PRIVATE.lastIndex = 0;
      out = out.replace(PUTTY_PRIVATE, (match: string, head: string, lines: string, newline: string, body: string) => {
        if (body === '') {
          // The body comes on the following lines of this session.
          state.puttyLines = Number(lines);
          return match;
        }
        count();
        return `${head}${lines}${newline}${marker}${/(?:\r?\n|(?:\\r)?\\n)$/.exec(body)?.[0] ?? ''}`;
      });
      PUTTY_MAC.lastIndex = 0;
      out = out.replace(PUTTY_MAC, (_m: string, head: string) => {
        count();
        return `${head}${marker}`;
      });
      return out;
    },
  };
}
