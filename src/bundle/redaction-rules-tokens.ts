import { boundedMemo } from './bounded-memo.js';
import { compileCatalogue } from './provider-token-pass.js';
import type { PassState, TextPass } from './redaction-rules.js';
import { hasTokenRun, isRandomToken } from './token-shape.js';

/** How far before a run of token characters a catalogued prefix is looked for (`ya29.`, `hvs.`, `SG.` end outside the run). */
export const PROVIDER_LOOKBACK = 64;

/** The provider catalogue as a pass (one prefix scan per text). */
export function providerTokenPass(marker: string): TextPass {
  const catalogue = compileCatalogue();
  return {
    trigger: /(?!)/,
    // A prefix may end in characters outside the run (`ya29.`, `hvs.`, `SG.`, `sha256~`): look a little before it.
    candidate: (text, start, end) => catalogue.mayMatch(text.slice(Math.max(0, start - PROVIDER_LOOKBACK), end)),
    apply: (text, count) => catalogue.apply(text, count, marker),
  };
}

/**
 * A run of token characters (base64 and base64url, `/` included so a base64 secret stays whole); a
 * run is only tried where it starts.
 */
const TOKEN_RUN = /(?<![A-Za-z0-9_\-+/])[A-Za-z0-9_\-+/]{20,}={0,2}/g;
/** A label right before the run says what it is: a digest, a data URL, an id. */
const LABELLED = /(?:sha\d{0,3}|md5|digest|checksum|hash|integrity|etag|fingerprint|base64|\bid|ids|uuid|guid)["'\\]{0,3}\s{0,3}[:=,]?\s{0,3}["'\\]{0,3}$/i;
/** Labelled digests (`sha512-…` subresource integrity) and ids with a documented prefix (request, message, tool call ids). */
const ID_OR_DIGEST = /^(?:sha(?:1|256|384|512)-|md5-|(?:req|msg|toolu|resp|run|thread|asst|call|evt|conv|span|trace|batch|file|chatcmpl|cus|sub|prod|price|inv|txn|evt)[_-](?![A-Za-z0-9_\-]*_secret_))/;

const CACHED_RUN_LENGTH = 256;
const VERDICT_CACHE_LIMIT = 4096;

/**
 * The generic rule for free-standing tokens: a run of 20+ token characters that reads as random
 * (token-shape.ts). A path's segments are judged one by one, so `/home/x/AbC…` loses the segment only.
 */
export function genericTokenPass(marker: string): TextPass {
  // Log lines repeat the same runs (a file path, a session id): each short one is judged once.
  const verdict = boundedMemo(
    (run) => !ID_OR_DIGEST.test(run) && (run.startsWith('/') || run.includes('//') ? run.split('/').some(judge) : judge(run)),
    VERDICT_CACHE_LIMIT,
    CACHED_RUN_LENGTH,
  );
  return {
    trigger: /(?!)/,
    candidate: (text, start, end) => verdict(text.slice(start, end)),
    apply(text: string, count: () => void, state: PassState) {
      if (state.identifier || !hasTokenRun(text)) return text;
      TOKEN_RUN.lastIndex = 0;
      return text.replace(TOKEN_RUN, (run: string, offset: number) => {
        if (ID_OR_DIGEST.test(run) || LABELLED.test(text.slice(Math.max(0, offset - 24), offset))) return run;
        const path = run.startsWith('/') || run.includes('//');
        if (!path) return judge(run) ? replaceCore(run, marker, count) : run;
        return run
          .split('/')
          .map((segment) => (judge(segment) ? replaceCore(segment, marker, count) : segment))
          .join('/');
      });
    },
  };
}

function core(run: string): string {
  return run.replace(/^[-_+/]+/, '').replace(/[-_+/=]+$/, '');
}

function judge(run: string): boolean {
  return isRandomToken(core(run));
}

/** Replaces the token inside its separators (`-AbC…=` keeps neither), counted once. */
function replaceCore(run: string, marker: string, count: () => void): string {
  const lead = /^[-_+/]*/.exec(run)![0];
  count();
  return `${lead}${marker}`;
}
