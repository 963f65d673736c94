import type { RedactionRule, TextPass } from './redaction-rules.js';
import { includesAny } from './redaction-rules.js';
import { tokenRuns, type TokenRun } from './token-shape.js';

/**
 * Each rule's own gate: the cheap test that decides whether its pass runs on a text. The line-level
 * test that asks all of them at once is line-prefilter.ts.
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

/**
 * Memoises `tokenRuns` for the last text asked about (passes change the text one after another): one
 * thunk per text, not per call, as every line asks for it several times; each computes its runs once.
 */
export function tokenRunMemo(): (text: string) => () => readonly TokenRun[] {
  let lastText: string | undefined;
  let thunk: () => readonly TokenRun[] = () => [];
  return (text) => {
    if (text !== lastText) {
      lastText = text;
      let runs: readonly TokenRun[] | undefined;
      thunk = () => (runs ??= tokenRuns(text));
    }
    return thunk;
  };
}
