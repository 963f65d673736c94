import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOME_DIR_RULE, USER_NAME_RULE } from '../../src/bundle/redaction-rules-paths.js';
import type { PassState, RedactionContext } from '../../src/bundle/redaction-rules.js';

/**
 * The home directory and user name are replaced by `indexOf` loops with boundary checks. They must
 * replace exactly what the regexes with lookarounds they stand for replace (kept here as the reference).
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function referenceHome(text: string, home: string): { text: string; count: number } {
  let count = 0;
  const pattern = new RegExp(`(?<![A-Za-z0-9_.\\-])(?:${escapeRegExp(home)})(?![A-Za-z0-9_\\-])`, 'g');
  const out = text.replace(pattern, () => (count++, '~'));
  return { text: out, count };
}

function referenceUser(text: string, name: string): { text: string; count: number } {
  let count = 0;
  const generic = /((?:\/home|\/Users|[A-Za-z]:(?:\\\\|\\|\/)(?:[Uu][Ss][Ee][Rr][Ss]|Documents and Settings))(?:\\\\|\\|\/))([^/\\\s"'<>:*?|[\]]+)/g;
  let out = /home|users|Documents and Settings/i.test(text)
    ? text.replace(generic, (m: string, parent: string, user: string) => (/^(?:Shared|Public|Default|All Users)$/i.test(user) ? m : (count++, `${parent}[user]`)))
    : text;
  const segment = new RegExp(`(?<=[\\\\/]|%2[Ff]|%5[Cc])${escapeRegExp(name)}(?=[\\\\/]|$|[\\s"':]|%2[Ff]|%5[Cc])`, 'g');
  out = out.replace(segment, () => (count++, '[user]'));
  return { text: out, count };
}

function run(rule: typeof HOME_DIR_RULE, context: RedactionContext, text: string): { text: string; count: number } {
  const pass = rule.compile(context)!;
  let count = 0;
  const state: PassState = { insidePrivateKey: false };
  return { text: pass.apply(text, () => count++, state), count };
}

const FRAGMENTS = [
  '/', '\\', '%2F', '%2f', '%5C', '%5c', '%2', '%', ' ', '\t', '\u00a0', '\u2028', '"', "'", ':', '.', '-', '_', 'x', '9', '{', ',',
  '/home/', '/Users/', 'C:\\Users\\', 'c:/users/', 'C:\\\\Users\\\\', 'D:\\Documents and Settings\\', 'Shared', 'Public',
];

describe('home directory and user name passes', () => {
  for (const context of [
    { homedir: '/home/alice', username: 'alice' },
    { homedir: '/Users/dana', username: 'dana' },
    { homedir: '/home/anan', username: 'anan' },
    { homedir: '/home/a.b', username: 'a.b' },
  ]) {
    it(`replace what the lookaround regexes replace (${context.homedir})`, () => {
      const pieces = [...FRAGMENTS, context.homedir, context.username, context.username.slice(0, 2), `${context.homedir}2`];
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), (parts) => {
          const text = parts.join('');
          expect(run(HOME_DIR_RULE, context, text)).toEqual(referenceHome(text, context.homedir));
          expect(run(USER_NAME_RULE, context, text)).toEqual(referenceUser(text, context.username));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('a line without the name costs no replacement and comes back as it was', () => {
    const context = { homedir: '/Users/dana', username: 'dana' };
    const line = '{"level":30,"msg":"request finished","url":"https://chatgpt.com/backend-api/x"}';
    expect(run(HOME_DIR_RULE, context, line)).toEqual({ text: line, count: 0 });
    expect(run(USER_NAME_RULE, context, line)).toEqual({ text: line, count: 0 });
  });
});
