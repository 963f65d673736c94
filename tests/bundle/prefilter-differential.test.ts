import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type RedactionContext, type RedactionRule } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { catalogueSamples, NAMED_RULE_SAMPLES, prng } from './token-samples.js';

/**
 * What is redacted does not depend on the line prefilter: the same lines redacted with it and with it
 * bypassed (a rule whose gate opens on every text sends every line through the rules) come out
 * identical. The prefilter is narrower than the rules' own gates where a rule's shapes prove it (a
 * catalogued prefix starts at most a known distance before its token's run), so this is checked on
 * the output, over a realistic log, every credential in several contexts, and prefixes placed near
 * unrelated runs.
 */

const OPENS_EVERY_LINE: RedactionRule = {
  name: 'opens_every_line',
  description: 'a gate that opens on every text and changes nothing',
  catches: [],
  keeps: [],
  compile: () => ({ trigger: /(?:)/, apply: (text) => text }),
};

/** A raw pass (run on the line before it is parsed) that names no gate literals: every raw pass then runs on every line. */
const RAW_PASS_WITHOUT_LITERALS: RedactionRule = {
  name: 'raw_pass_without_literals',
  description: 'a raw pass that changes nothing and names no literals',
  catches: [],
  keeps: [],
  compile: () => ({ trigger: /(?:)/, lineSafe: true, apply: (text) => text }),
};

/** Paths of the user and of others, as written, escaped in JSON, URL-encoded and in other cases. */
function pathLines(): string[] {
  const random = prng(9);
  const parts = ['/Users/dana', '/home/dana', '/home/bob', 'C:\\Users\\Carol', 'c:\\users\\carol2', 'C:/Users/Public', 'C:\\Documents and Settings\\dave', '%2Fdana%2F', '/dana/', 'dana-mbp', '/Users/danak', 'x/Users/dana', '/SERS/x', '~'];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const line = Array.from({ length: 1 + Math.floor(random() * 4) }, () => parts[Math.floor(random() * parts.length)]! + ['', '/', '/x', ' ', '"'][Math.floor(random() * 5)]!).join('');
    lines.push(random() < 0.5 ? line : JSON.stringify({ level: 30, msg: 'open', file: line }));
  }
  return lines;
}

const CONTEXTS: RedactionContext[] = [
  { homedir: '/Users/dana', username: 'dana' },
  { homedir: 'C:\\Users\\Carol', username: 'Carol' },
];

function realisticLog(count: number, user: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const bodies = [
      { msg: 'request finished', url: `https://chatgpt.com/backend-api/conversation/3f2a9c1b-8e4d-4b7a-9c2e-${(1e11 + i).toString(16)}`, status: 200 },
      { msg: 'ipc', channel: i % 2 ? 'auth:status' : 'window:focus' },
      { msg: 'turn completed', usage: { input_tokens: 1234 + i, output_tokens: 56 } },
      { msg: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED' },
      { msg: 'open', file: `/Users/${user}/Library/Application Support/Codex/logs/main-${i % 5}.log` },
      { msg: `sidecar stderr: loaded plugin ${i % 11} in ${i % 300} ms`, sortKey: 'createdAt', key: 'Enter' },
    ];
    lines.push(JSON.stringify({ level: 30, time: 1795222547421 + i, pid: 4242, hostname: `${user}-mbp`, ...bodies[i % bodies.length] }));
  }
  return lines;
}

function corpus(): string[] {
  const random = prng(5);
  const tokens = [...catalogueSamples(), ...NAMED_RULE_SAMPLES].map((s) => s.token);
  const prefixes = ['glpat-', 'sk-', 'pat', 'SG.', 'ya29.', 'hvs.', 'authress_', 'access_token$production$', '_gitlab_session=', 'xoxb-', 'AKIA', 'sha256~', 'Q~', ':AA'];
  const runs = ['AbCdEfGhIjKlMnOpQrSt0123', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', 'Library/Application/Support/x1', 'ZZZZZZZZZZZZZZZZZZZZZZZZ'];
  const lines: string[] = [...realisticLog(600, 'dana'), ...DEFAULT_RULES.flatMap((r) => [...r.catches.map((c) => c.text), ...r.keeps])];
  for (const t of tokens) {
    lines.push(JSON.stringify({ level: 50, msg: `credential ${t} rejected` }), `GET /x?q=${t} 200`, `token ${t}`, `file /Users/dana/${t}/x`, `${t.slice(0, 8)} then ${t}`);
  }
  // A prefix some way before an unrelated run: a rule's gate may open there, the prefilter need not.
  for (let i = 0; i < 1500; i++) {
    const prefix = prefixes[Math.floor(random() * prefixes.length)]!;
    const run = runs[Math.floor(random() * runs.length)]!;
    const gap = ' '.repeat(Math.floor(random() * 70)) + ['', 'x', '.', '-', '_'][Math.floor(random() * 5)]!;
    const tail = random() < 0.3 ? tokens[Math.floor(random() * tokens.length)]! : '';
    const line = `${prefix}${gap}${run}${tail ? ` ${tail}` : ''}`;
    lines.push(random() < 0.5 ? line : JSON.stringify({ level: 30, msg: line }));
  }
  return lines;
}

describe('line prefilter: output', () => {
  const lines = corpus();

  for (const context of CONTEXTS) {
    it(`redacts exactly what the rules redact with the prefilter bypassed (${context.homedir})`, () => {
      const gated = createRedactor(context).session();
      const bypassed = createRedactor({ ...context, rules: [...DEFAULT_RULES, OPENS_EVERY_LINE] }).session();
      const differing = lines.filter((line) => gated.line(line) !== bypassed.line(line));
      expect(differing).toEqual([]);
      const { opens_every_line: _none, ...counts } = bypassed.counts();
      expect(gated.counts()).toEqual(counts);
    });

    it(`skips the raw passes only on lines none of them would change (${context.homedir})`, () => {
      const all = [...lines, ...pathLines()];
      const gated = createRedactor(context).session();
      const everyLine = createRedactor({ ...context, rules: [...DEFAULT_RULES, RAW_PASS_WITHOUT_LITERALS] }).session();
      expect(all.filter((line) => gated.line(line) !== everyLine.line(line))).toEqual([]);
      const { raw_pass_without_literals: _none, ...counts } = everyLine.counts();
      expect(gated.counts()).toEqual(counts);
    });

    it(`redacts the same with the scan kernel and without it (${context.homedir})`, () => {
      const kernel = createRedactor(context).session();
      const plain = createRedactor({ ...context, scanKernel: false }).session();
      expect(lines.filter((line) => kernel.line(line) !== plain.line(line))).toEqual([]);
      expect(kernel.counts()).toEqual(plain.counts());
    });
  }
});
