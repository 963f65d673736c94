import type { RedactionRule, TextPass } from './redaction-rules.js';
import { includesAny } from './redaction-rules.js';
import { tokenRuns, type TokenRun } from './token-shape.js';

/**
 * The cheap tests that decide which rules can apply to a text before any rule's regex runs. A log line
 * no rule can touch costs a few `includes`, one word-classifying scan for secret keys and one skip scan
 * for token-shaped runs, never one regex pass per rule: a combined regex alternation of every trigger
 * is many times slower than the literal searches V8 does with memchr and Boyer-Moore.
 */

/** `runs` gives (once per text) the text's runs of 20+ token characters. */
export type Gate = (text: string, runs: () => readonly TokenRun[]) => boolean;

/** A rule's gate: its pass's own, else its literals and token shape, else its trigger (case-insensitive). */
export function gateOf(rule: RedactionRule | undefined, pass: TextPass): Gate {
  if (pass.gate) {
    const own = pass.gate.bind(pass);
    return (text) => own(text);
  }
  const literals = rule?.gate;
  const shaped = rule?.tokenShaped === true;
  const candidate = pass.candidate?.bind(pass) ?? (() => true);
  if (literals !== undefined || shaped) {
    return (text, runs) => (literals !== undefined && includesAny(text, literals)) || (shaped && runs().some((r) => candidate(text, r.start, r.end)));
  }
  const trigger = new RegExp(pass.trigger.source, 'i');
  return (text) => trigger.test(text);
}

/** Memoises `tokenRuns` for the last text asked about (passes change the text one after another). */
export function tokenRunMemo(): (text: string) => () => readonly TokenRun[] {
  let lastText: string | undefined;
  let last: readonly TokenRun[] = [];
  return (text) => () => {
    if (text !== lastText) {
      lastText = text;
      last = tokenRuns(text);
    }
    return last;
  };
}

/** How many literals one prefilter regex holds: V8 searches a short alternation of literals fast, a long one slowly. */
const LITERALS_PER_REGEX = 6;

/**
 * The line-level test: could any of these rules change the text? Their literals are searched by a few
 * short regexes (not one long alternation, not one `includes` per literal), passes with their own gate
 * ask it, and token-shaped rules ask their candidates about the text's token runs.
 */
export function prefilterOf(entries: ReadonlyArray<{ rule: RedactionRule | undefined; pass: TextPass; gate: Gate }>): Gate {
  const literals = new Set<string>();
  const own: Gate[] = [];
  const shaped: Array<(text: string, start: number, end: number) => boolean> = [];
  for (const { rule, pass, gate } of entries) {
    if (pass.gate) own.push(gate);
    else if (rule?.gate === undefined && rule?.tokenShaped !== true) own.push(gate);
    if (!pass.gate && rule?.gate) for (const literal of rule.gate) literals.add(literal);
    if (!pass.gate && rule?.tokenShaped) shaped.push(pass.candidate?.bind(pass) ?? (() => true));
  }
  const sorted = [...literals].sort((a, b) => b.length - a.length);
  const regexes: RegExp[] = [];
  for (let i = 0; i < sorted.length; i += LITERALS_PER_REGEX) {
    regexes.push(new RegExp(sorted.slice(i, i + LITERALS_PER_REGEX).map(escapeRegExp).join('|')));
  }
  return (text, runs) => {
    for (const regex of regexes) if (regex.test(text)) return true;
    for (const gate of own) if (gate(text, runs)) return true;
    if (shaped.length === 0) return false;
    for (const run of runs()) for (const candidate of shaped) if (candidate(text, run.start, run.end)) return true;
    return false;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/\-]/g, '\\$&');
}
