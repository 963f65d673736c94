import type { Redactor, RedactionSession } from '../bundle/redactor.js';
import { mergeSpans, replacedSpans, type Span } from './replaced-spans.js';
import { escapeRegExp } from '../bundle/literal-alternation.js';

export interface SecretFinderOptions {
  redactor: Redactor;
  homedir: string;
  username: string;
}

/** Finds the spans of a text that must not leave the machine: the redactor's detectors, the home dir and the user name. */
export interface SecretFinder {
  spans(text: string): Span[];
}

export function createSecretFinder(options: SecretFinderOptions): SecretFinder {
  const session: RedactionSession = options.redactor.session();
  const home = options.homedir.replace(/[\\/]+$/, '');
  // In memory the home dir and the login name are identifiers wherever they stand, not only in paths.
  const identities: string[] = [];
  if (home.length >= 2) identities.push(escapeRegExp(home));
  if (options.username.length >= 2) identities.push(`(?<![A-Za-z0-9])${escapeRegExp(options.username)}(?![A-Za-z0-9])`);
  const identity = identities.length > 0 ? new RegExp(identities.join('|'), 'g') : null;
  return {
    spans(text) {
      const redacted = session.text(text);
      // Each run stands alone: a PEM block open at the end of one must not swallow the next.
      session.endOfSource();
      const found = redacted === text ? [] : replacedSpans(text, redacted);
      if (identity !== null) {
        identity.lastIndex = 0;
        for (let match = identity.exec(text); match !== null; match = identity.exec(text)) {
          found.push({ start: match.index, end: match.index + match[0].length });
        }
      }
      return found.length > 1 ? mergeSpans(found) : found;
    },
  };
}
