import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLiterals } from '../../src/bundle/literal-automaton.js';
import { createPrefilter, type PrefilterEntry } from '../../src/bundle/line-prefilter.js';
import { gateOf, tokenRunMemo } from '../../src/bundle/redaction-gates.js';
import { DEFAULT_RULES, type RedactionContext } from '../../src/bundle/redaction-rules.js';
import { PROVIDER_FORMATS } from '../../src/bundle/provider-catalogue.js';
import { prefixRunOffset } from '../../src/bundle/provider-token-pass.js';
import { tokenRuns } from '../../src/bundle/token-shape.js';
import { catalogueSamples, NAMED_RULE_SAMPLES, prng, sampleToken } from './token-samples.js';

/**
 * The line prefilter decides whether a line goes through the rules at all. What is redacted does not
 * depend on it as long as it opens wherever one of the rules' own gates opens and a rule would change
 * the text (a rule runs only when its gate opens; the prefilter is narrower than the provider rule's gate
 * only where the catalogue's shapes prove nothing can change): checked here against the plain OR of the
 * gates, on the rule table's examples, every catalogued token in several contexts, realistic log lines
 * and random mixtures of them. prefilter-differential.test.ts checks the redactor's output with it and
 * without it.
 */

const CONTEXTS: RedactionContext[] = [
  { homedir: '/home/alice', username: 'alice' },
  { homedir: '/Users/dana', username: 'dana' },
  { homedir: 'C:\\Users\\Carol', username: 'Carol' },
  { homedir: '/home/josé', username: 'josé' },
];
const EXTRAS = ['\\u', '\\/'];

function entriesFor(context: RedactionContext): PrefilterEntry[] {
  return DEFAULT_RULES.flatMap((rule) => {
    const pass = rule.compile(context);
    return pass ? [{ rule, pass, gate: gateOf(rule, pass) }] : [];
  });
}

function pinoLine(i: number, user: string): string {
  const bodies = [
    { msg: 'request finished', method: 'GET', url: `https://chatgpt.com/backend-api/conversation/3f2a9c1b-8e4d-4b7a-9c2e-${(1e11 + i).toString(16)}`, status: 200 },
    { msg: 'ipc', channel: i % 2 ? 'auth:status' : 'window:focus' },
    { msg: 'turn completed', conversation_id: '3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f', usage: { input_tokens: 1234 + i, output_tokens: 56 } },
    { msg: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', validatedURL: 'https://cdn.example.com/app.js' },
    { msg: 'open', path: `/Users/${user}/Library/Application Support/Codex/logs/main-${i % 5}.log` },
    { msg: `sidecar stderr: loaded plugin ${i % 11} in ${i % 300} ms`, sortKey: 'createdAt', key: 'Enter' },
  ];
  return JSON.stringify({ level: 30, time: 1795222547421 + i, pid: 4242, hostname: `${user}-mbp`, ...bodies[i % bodies.length] });
}

/** Whether the rules whose gates open, run one after another as the redactor runs them, change the text. */
function rulesChange(entries: readonly PrefilterEntry[], text: string): boolean {
  const runOf = tokenRunMemo();
  let out = text;
  const state = { insidePrivateKey: false };
  for (const e of entries) if (e.gate(out, runOf(out))) out = e.pass.apply(out, () => {}, state);
  return out !== text;
}

function corpus(): string[] {
  const random = prng(23);
  const tokens = [...catalogueSamples(), ...NAMED_RULE_SAMPLES].map((s) => s.token);
  const fragments = DEFAULT_RULES.flatMap((r) => [...r.catches.map((c) => c.text), ...r.keeps]).concat(tokens, [
    ' ', '=', ':', '"', '\\', '\\n', '\\"', '/', '@', '~', '%2F', '%5C', 'alice', 'dana', 'Carol', 'josé', '/home/alice', 'C:\\Users\\carol\\',
    'path', 'task-', 'İ', 'K', '\u212a', '\u212aey', 'PASSWORD', 'Api_Key', 'AUTHORIZATION: ', 'BEARER ', 'Set-COOKIE', 'xoxb-1234', 'sk-', 'ya29.', 'SG.', '\\u0040', '\\/', 'AbCdEfGhIjKlMnOpQrSt0123',
  ]);
  const lines: string[] = [...fragments];
  for (const t of tokens) {
    lines.push(JSON.stringify({ level: 50, msg: `credential ${t} rejected` }), `GET /x?token=${t} 200`, `path /Users/dana/${t}/x`);
  }
  for (let i = 0; i < 600; i++) lines.push(pinoLine(i, i % 2 ? 'dana' : 'alice'));
  for (let i = 0; i < 3000; i++) {
    let line = '';
    const n = 1 + Math.floor(random() * 6);
    for (let k = 0; k < n; k++) line += fragments[Math.floor(random() * fragments.length)];
    lines.push(random() < 0.5 ? line : JSON.stringify({ level: 30, msg: line }));
  }
  return lines;
}

describe('line prefilter', () => {
  const lines = corpus();

  for (const context of CONTEXTS) {
    it(`opens wherever a rule's gate opens (${context.homedir})`, () => {
      const entries = entriesFor(context);
      const runOf = tokenRunMemo();
      const all = createPrefilter(entries);
      const notOnRawLines = entries.filter((e) => !e.pass.lineSafe);
      const forLines = createPrefilter(notOnRawLines, EXTRAS);
      const missed: string[] = [];
      for (const line of lines) {
        const runs = runOf(line);
        if (entries.some((e) => e.gate(line, runs)) && !all(line, runs) && rulesChange(entries, line)) missed.push(line);
        const lineGates = notOnRawLines.some((e) => e.gate(line, runs)) || EXTRAS.some((x) => line.includes(x));
        if (lineGates && !forLines(line, runs) && (EXTRAS.some((x) => line.includes(x)) || rulesChange(notOnRawLines, line))) missed.push(line);
      }
      expect(missed).toEqual([]);
    });
  }

  it('opens on random text wherever a gate opens', () => {
    const entries = entriesFor(CONTEXTS[0]!);
    const prefilter = createPrefilter(entries);
    const runOf = tokenRunMemo();
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom(...lines.slice(0, 400)), (noise, line) => {
        const text = `${noise}${line}${noise}`;
        const runs = runOf(text);
        if (entries.some((e) => e.gate(text, runs)) && rulesChange(entries, text)) expect(prefilter(text, runs)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same verdict with the WebAssembly scan as with the JavaScript one', () => {
    for (const context of CONTEXTS) {
      const entries = entriesFor(context);
      const runOf = tokenRunMemo();
      for (const [kernel, plain] of [
        [createPrefilter(entries), createPrefilter(entries, [], { scanKernel: false })],
        [createPrefilter(entries, EXTRAS), createPrefilter(entries, EXTRAS, { scanKernel: false })],
      ] as const) {
        const differ = lines.filter((line) => kernel(line, runOf(line)) !== plain(line, runOf(line)));
        expect(differ).toEqual([]);
      }
    }
  });

  it('stays closed on ordinary log lines, so they cost no rule', () => {
    const entries = entriesFor({ homedir: '/Users/dana', username: 'dana' }).filter((e) => !e.pass.lineSafe);
    const prefilter = createPrefilter(entries, EXTRAS);
    const runOf = tokenRunMemo();
    const open = [0, 1, 2, 3, 5].map((i) => pinoLine(i, 'dana')).filter((line) => prefilter(line, runOf(line)));
    expect(open).toEqual([]);
  });
});

describe('run offsets of catalogued prefixes', () => {
  const offset = (prefix: string) => Math.max(...PROVIDER_FORMATS.filter((f) => f.prefix === prefix).map(prefixRunOffset));

  it('is 0 where the prefix starts its own run, and the distance to the run after a separator', () => {
    expect(offset('glpat-')).toBe(0);
    expect(offset('ya29.')).toBe(5);
    expect(offset('SG.')).toBe(3);
    expect(offset('pat')).toBe(18);
    expect(prefixRunOffset({ provider: 'short parts', prefix: 'x.', body: [['alnum', 8, 8], '.', ['alnum', 8]] })).toBe(Infinity);
  });

  it('bounds where every sampled token of every format has its first run', () => {
    const random = prng(41);
    const late: string[] = [];
    for (const format of PROVIDER_FORMATS) {
      const bound = prefixRunOffset(format);
      for (let i = 0; i < 20; i++) {
        const { token } = sampleToken(format, random);
        const first = tokenRuns(`"${token}"`)[0];
        if (bound !== Infinity && (first === undefined || first.start - 1 > bound)) late.push(token);
      }
    }
    expect(late).toEqual([]);
  });
});

describe('literal automaton', () => {
  it('reports every occurrence, overlapping ones included, in exact or any case as asked', () => {
    const automaton = compileLiterals([{ literal: 'he' }, { literal: 'she' }, { literal: 'hers' }, { literal: 'Key', caseless: true }, { literal: 'AB' }]);
    const hits: Array<[number, number]> = [];
    automaton.scan('ushers KEY key ab AB', (index, start) => {
      hits.push([index, start]);
      return false;
    });
    expect(hits).toEqual([
      [1, 1],
      [0, 2],
      [2, 2],
      [3, 7],
      [3, 11],
      [4, 18],
    ]);
  });

  it('stops when a hit asks it to, and scans only the range given', () => {
    const automaton = compileLiterals([{ literal: 'ab' }]);
    const starts: number[] = [];
    expect(automaton.scan('ab ab ab', (_i, start) => (starts.push(start), start === 3), 0)).toBe(true);
    expect(starts).toEqual([0, 3]);
    const ranged: number[] = [];
    automaton.scan('ab ab ab', (_i, start) => (ranged.push(start), false), 1, 5);
    expect(ranged).toEqual([3]);
  });

  it('refuses a literal that is not ASCII', () => {
    expect(() => compileLiterals([{ literal: 'josé' }])).toThrow(/not ASCII/);
  });
});
