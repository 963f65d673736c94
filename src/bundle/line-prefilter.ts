import { buildLiteralDfa, compileLiterals, type LiteralAutomaton } from './literal-automaton.js';
import { createLiteralScanKernel } from './literal-scan-kernel.js';
import { literalAlternation } from './literal-alternation.js';
import { occursAt } from './occurs-at.js';
import type { RedactionRule, TextPass } from './redaction-rules.js';
import type { Gate } from './redaction-gates.js';
import { classesIn, DIGIT, GENERIC_MIN_LENGTH, isRunChar, LOWER, UPPER, type TokenRun } from './token-shape.js';

/**
 * The test every log line takes before any rule runs: could any rule change it? It opens wherever one
 * of the rules' gates would open and the rule could change the line (so what is redacted does not depend
 * on it), and costs a log line that no rule touches one scan instead of one scan per rule: the
 * WebAssembly kernel (literal-scan-kernel.ts) finds every literal and stem below and every token run in
 * one pass, and what it found is judged as below. A line the kernel does not take (a character above
 * U+00FF, too long, too many hits) is scanned in JavaScript, with the same verdict:
 *
 *  - a few case-insensitive regexes find every gate literal and every secret-key stem in the line as
 *    written (`password`, `ookie`, `@`, `eyJ`, `/home`, the user's name, ...): no lower-cased copy of
 *    the line is made. A found literal is checked for its exact case on the line; a stem is judged with
 *    its whole word by the key rules' word gate (`input_tokens` and `backend-api/` close it,
 *    `"password":` opens it);
 *  - the runs of 20+ token characters (a skip scan) are asked about only when they could be a credential:
 *    the generic rule's runs hold upper case, lower case and a digit; the token rules' runs have one of
 *    their literals (found for all rules together in one automaton pass over the run and a few
 *    characters before it), as far before the run as the rule's `runLiterals.lookbacks` allow: the few
 *    literals allowed further than NEAR_LOOKBACK are found by the line's literal scan instead. A UUID, a
 *    hex id, a URL path or a file path fails both in one short loop.
 *
 * A gate that declares nothing of the kind is asked as it is.
 */

export interface PrefilterEntry {
  rule: RedactionRule | undefined;
  pass: TextPass;
  gate: Gate;
}

/** What a found literal means. */
type LiteralAction =
  | { kind: 'opens'; exact: string | null }
  | { kind: 'gate'; exact: string | null; gate: Gate }
  | { kind: 'word'; wordAt: NonNullable<TextPass['wordGate']>['wordAt'] }
  /** A run literal looked for far before the runs: where it is, for the run test (it opens nothing). */
  | { kind: 'far'; exact: string; index: number };

interface ShapedEntry {
  candidate: (text: string, start: number, end: number) => boolean;
  /** The entry's index in the run automaton's hit table, -1 without run literals. */
  literalSlot: number;
  mixedClasses: boolean;
}

/**
 * Run literals that may start at most this far before a run are found by the automaton over the runs
 * and the characters before them; those allowed further (`pat`, `authress_`, the anchors) by the
 * line's literal scan, so the automaton reads only a few characters before each run.
 */
const NEAR_LOOKBACK = 12;

export interface PrefilterOptions {
  /** Scan with the WebAssembly kernel where it takes the line (default); false scans in JavaScript only. */
  scanKernel?: boolean;
}

export function createPrefilter(entries: readonly PrefilterEntry[], extraLiterals: readonly string[] = [], options: PrefilterOptions = {}): Gate {
  const actions = new Map<string, LiteralAction[]>();
  const addLiteral = (literal: string, action: LiteralAction) => {
    const key = literal.toLowerCase();
    const list = actions.get(key) ?? [];
    list.push(action);
    actions.set(key, list);
  };
  // Gates asked about every text: none of their literals is known, or a literal the lower-cased scan
  // cannot find (its lower case has another length).
  const opaque: Gate[] = [];
  const shaped: ShapedEntry[] = [];
  const runLiterals: Array<{ literal: string; slot: number; lookback: number }> = [];
  const scannable = (literal: string) => literal.length > 0 && literal.toLowerCase().length === literal.length && isAscii(literal.toLowerCase());

  for (const literal of extraLiterals) addLiteral(literal, { kind: 'opens', exact: literal });
  for (const { rule, pass, gate } of entries) {
    if (pass.gate) {
      const hint = pass.gateLiterals;
      if (pass.wordGate) {
        for (const stem of pass.wordGate.stems) addLiteral(stem, { kind: 'word', wordAt: pass.wordGate.wordAt });
      } else if (hint && hint.literals.every(scannable)) {
        for (const literal of hint.literals) addLiteral(literal, { kind: 'gate', exact: hint.caseless ? null : literal, gate });
      } else {
        opaque.push(gate);
      }
      continue;
    }
    if (rule?.gate) {
      for (const literal of rule.gate) {
        if (scannable(literal)) addLiteral(literal, { kind: 'opens', exact: literal });
        else opaque.push((text) => text.includes(literal));
      }
    }
    if (rule?.tokenShaped) {
      const hint = rule.runLiterals;
      const literals = (hint?.literals ?? [])
        .map((literal, i) => ({ literal, lookback: Math.min(hint!.lookback, hint!.lookbacks?.[i] ?? hint!.lookback) }))
        .filter((l) => l.literal.length > 0);
      const slot = literals.length > 0 ? shaped.length : -1;
      for (const { literal, lookback } of literals) runLiterals.push({ literal, slot, lookback });
      shaped.push({
        candidate: pass.candidate?.bind(pass) ?? (() => true),
        literalSlot: slot,
        mixedClasses: rule.runNeedsMixedClasses === true,
      });
    } else if (rule?.gate === undefined) {
      opaque.push(gate);
    }
  }

  // Run literals allowed far before a run are found by the line's literal scan, the others by the automaton.
  const near: number[] = [];
  runLiterals.forEach(({ literal, lookback }, index) => {
    if (lookback > NEAR_LOOKBACK && scannable(literal)) addLiteral(literal, { kind: 'far', exact: literal, index });
    else near.push(index);
  });
  const keys = [...actions.keys()];
  // A few regexes rather than one: V8 tries an alternation's branches one after another at each
  // position, so a short alternation per kind of literal is several times faster than one of them all.
  // Literals holding a character rare in logs (`=`, `@`, `%`, `~`, `\\`) are searched only in a text
  // that has that character.
  const rareOf = (key: string) => RARE_CHARACTERS.find((c) => key.includes(c));
  const groups: Array<{ regex: RegExp; needs: string | null }> = [];
  for (const c of RARE_CHARACTERS) {
    const regex = alternation(keys.filter((k) => rareOf(k) === c));
    if (regex) groups.push({ regex, needs: c });
  }
  const common = keys.filter((k) => rareOf(k) === undefined);
  for (const regex of [alternation(common.filter((k) => !isLetter(k.charCodeAt(0)))), alternation(common.filter((k) => isLetter(k.charCodeAt(0))))]) {
    if (regex) groups.push({ regex, needs: null });
  }
  // Every literal starting with a character: a match reports one literal, others may start there too.
  // Indexed by the first character's code (keys are lower case), so a hit costs no string or map lookup.
  const byFirst: Array<Array<{ key: string; actions: LiteralAction[] }>> = [];
  for (const key of keys) (byFirst[key.charCodeAt(0)] ??= []).push({ key, actions: actions.get(key)! });
  // Built on first use: with the scan kernel, only a line the kernel does not take needs it.
  let runAutomaton: LiteralAutomaton | null | undefined;
  const nearAutomaton = () => (runAutomaton ??= near.length > 0 ? compileLiterals(near.map((i) => ({ literal: runLiterals[i]!.literal }))) : null);
  const maxLookback = Math.max(0, ...near.map((i) => runLiterals[i]!.lookback));
  const literalLookback = Int32Array.from(runLiterals.map((r) => r.lookback));
  const reasons = new Uint8Array(shaped.length);
  const unconditional = shaped.some((e) => e.literalSlot === -1 && !e.mixedClasses);
  const mixedEntries = shaped.filter((e) => e.mixedClasses);

  /** Whether a key found at `at` (in any ASCII case) opens: its exact case, its gate, or its word. */
  const keyOpens = (text: string, at: number, found: readonly LiteralAction[], runs: Parameters<Gate>[1], words: { until: number }): boolean => {
    for (const action of found) {
      if (action.kind === 'far') {
        if (occursAt(text, action.exact, at)) recordHit(action.index, at);
      } else if (action.kind === 'word') {
        if (at < words.until) continue;
        const word = action.wordAt(text, at);
        if (word.opens) return true;
        words.until = word.end;
      } else if (action.exact === null || occursAt(text, action.exact, at)) {
        if (action.kind === 'opens' || action.gate(text, runs)) return true;
      }
    }
    return false;
  };

  /** Whether a key starting at `at` opens (every key starting with that character is tried, in key order). */
  const foundOpens = (text: string, scanned: string, at: number, runs: Parameters<Gate>[1], words: { until: number }): boolean => {
    for (const { key, actions: found } of byFirst[foldAscii(scanned.charCodeAt(at))]!) {
      if (startsWithFolded(scanned, key, at) && keyOpens(text, at, found, runs, words)) return true;
    }
    return false;
  };

  /**
   * Whether the literal scan finds a literal that opens: a few case-insensitive regex passes over
   * `scanned` (the text, or its lower case where that differs from ASCII folding), positions as in text.
   */
  const literalOpens = (text: string, scanned: string, runs: Parameters<Gate>[1]): boolean => {
    const words = { until: 0 };
    for (const { regex, needs } of groups) {
      if (needs !== null && !scanned.includes(needs)) continue;
      regex.lastIndex = 0;
      for (let m = regex.exec(scanned); m !== null; m = regex.exec(scanned)) {
        if (foundOpens(text, scanned, m.index, runs, words)) return true;
        regex.lastIndex = m.index + 1;
      }
    }
    return false;
  };

  // Where run literals were found in the current text (reused from text to text): start and literal.
  let hitAt = new Int32Array(32);
  let hitLiteral = new Int32Array(32);
  let hitCount = 0;
  const literalLength = Int32Array.from(runLiterals.map((r) => r.literal.length));
  const recordHit = (index: number, at: number): boolean => {
    if (hitCount === hitAt.length) {
      hitAt = grow(hitAt);
      hitLiteral = grow(hitLiteral);
    }
    hitAt[hitCount] = at;
    hitLiteral[hitCount] = index;
    hitCount++;
    return false;
  };

  const recordNearHit = (nearIndex: number, at: number): boolean => recordHit(near[nearIndex]!, at);

  /** Finds the near run literals in every run and the characters before it: each character once. */
  const findRunLiterals = (text: string, list: readonly TokenRun[]) => {
    const automaton = nearAutomaton();
    if (automaton === null) return;
    let from = -1;
    let to = -1;
    for (const run of list) {
      const windowStart = Math.max(0, run.start - maxLookback);
      if (windowStart > to) {
        if (to > from) automaton.scan(text, recordNearHit, from, to);
        from = windowStart;
      }
      to = run.end;
    }
    if (to > from) automaton.scan(text, recordNearHit, from, to);
  };

  /** Whether a token-shaped rule's candidate accepts the run; `known`: the run's classes, -1 when not yet counted. */
  const runOpens = (text: string, start: number, end: number, known = -1): boolean => {
    let classes = known;
    let literalNear = false;
    for (let h = 0; h < hitCount; h++) {
      const at = hitAt[h]!;
      const index = hitLiteral[h]!;
      if (at + literalLength[index]! > end || at < start - literalLookback[index]!) continue;
      if (!literalNear) reasons.fill(0);
      literalNear = true;
      reasons[runLiterals[index]!.slot] = 1;
    }
    // Most runs (paths, ids) have no literal near them: then only a rule that asks about every run, or
    // one that needs mixed classes when the run has them, could open.
    if (!literalNear && !unconditional) {
      if (mixedEntries.length === 0) return false;
      if (classes === -1) classes = classesIn(text, start, end);
      if (classes !== (UPPER | LOWER | DIGIT)) return false;
      for (const entry of mixedEntries) if (entry.candidate(text, start, end)) return true;
      return false;
    }
    for (let i = 0; i < shaped.length; i++) {
      const entry = shaped[i]!;
      let possible = (entry.literalSlot === -1 && !entry.mixedClasses) || (literalNear && reasons[i] === 1);
      if (!possible && entry.mixedClasses) {
        if (classes === -1) classes = classesIn(text, start, end);
        possible = classes === (UPPER | LOWER | DIGIT);
      }
      if (possible && entry.candidate(text, start, end)) return true;
    }
    return false;
  };

  // The same scan in one pass (literal-scan-kernel.ts): every key and every near run literal in one
  // automaton, and the runs, for a line the kernel takes.
  const kernel =
    options.scanKernel === false
      ? null
      : createLiteralScanKernel(
          buildLiteralDfa([...keys.map((literal) => ({ literal, caseless: true })), ...near.map((i) => ({ literal: runLiterals[i]!.literal }))]),
          isRunChar,
          GENERIC_MIN_LENGTH,
        );
  const keyActions = keys.map((key) => actions.get(key)!);
  // Each key hit as start × keys + key: sorted, they come in the order foundOpens would try them.
  let keyHits = new Float64Array(64);
  let keyCount = 0;
  let runBounds = new Int32Array(48);
  let runCount = 0;
  const kernelLiteral = (index: number, start: number) => {
    if (index >= keys.length) {
      recordHit(near[index - keys.length]!, start);
      return;
    }
    if (keyCount === keyHits.length) keyHits = grow(keyHits);
    keyHits[keyCount++] = start * keys.length + index;
  };
  const kernelRun = (start: number, end: number, classes: number) => {
    if (3 * runCount === runBounds.length) runBounds = grow(runBounds);
    runBounds[3 * runCount] = start;
    runBounds[3 * runCount + 1] = end;
    runBounds[3 * runCount + 2] = classes;
    runCount++;
  };

  // Reused from line to line: the kernel's path allocates nothing per line.
  const kernelWords = { until: 0 };

  /** The verdict from the kernel's scan, as the scans below would give it; undefined for a text it does not take. */
  const kernelOpens = (text: string, runs: Parameters<Gate>[1]): boolean | undefined => {
    keyCount = 0;
    runCount = 0;
    if (kernel === null || !kernel.scan(text, kernelLiteral, kernelRun)) return undefined;
    // Literals are reported where they end: judged in the order of the text, as the regex scan finds them.
    sortPrefix(keyHits, keyCount);
    const words = kernelWords;
    words.until = 0;
    for (let k = 0; k < keyCount; k++) {
      const key = keyHits[k]! % keys.length;
      if (keyOpens(text, (keyHits[k]! - key) / keys.length, keyActions[key]!, runs, words)) return true;
    }
    if (shaped.length === 0) return false;
    for (let r = 0; r < runCount; r++) if (runOpens(text, runBounds[3 * r]!, runBounds[3 * r + 1]!, runBounds[3 * r + 2]!)) return true;
    return false;
  };

  return (text, runs) => {
    for (const gate of opaque) if (gate(text, runs)) return true;
    // The far run literals are recorded by the literal scan, the near ones after it.
    hitCount = 0;
    const verdict = kernelOpens(text, runs);
    if (verdict !== undefined) return verdict;
    hitCount = 0;
    // The two characters whose lower case holds an ASCII letter (the Kelvin sign, `İ`): the literals
    // are looked for in the lower-cased text, which the key words are classified by.
    let scanned = text;
    if (text.includes('\u212a') || text.includes('\u0130')) {
      scanned = text.toLowerCase();
      if (scanned.length !== text.length) {
        // `İ` lower-cases to two characters: positions would not line up, so every gate is asked.
        return entries.some((e) => e.gate(text, runs)) || extraLiterals.some((l) => text.includes(l));
      }
    }
    if (literalOpens(text, scanned, runs)) return true;
    if (shaped.length === 0) return false;
    const list = runs();
    if (list.length === 0) return false;
    findRunLiterals(text, list);
    for (const run of list) if (runOpens(text, run.start, run.end)) return true;
    return false;
  };
}

/** Characters rare in log lines: literals holding one are searched only in a text that has it. */
const RARE_CHARACTERS = ['=', '@', '%', '~', '\\'];

function alternation(keys: readonly string[]): RegExp | null {
  // `i` without `u` folds ASCII letters only, as the lower-case keys were folded. Only where a match
  // starts is used (foundOpens tries every key).
  return keys.length === 0 ? null : literalAlternation(keys, 'gi');
}

/** An ASCII upper-case letter's lower case; any other code unit as it is. */
function foldAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Whether `key` (lower case) starts at `at` in text, ASCII letters compared in any case. */
function startsWithFolded(text: string, key: string, at: number): boolean {
  if (at + key.length > text.length) return false;
  for (let i = 0; i < key.length; i++) if (foldAscii(text.charCodeAt(at + i)) !== key.charCodeAt(i)) return false;
  return true;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * Sorts the first `count` entries in place: the kernel reports a line's few key hits nearly in order
 * (by end, each at most the longest literal out of place by start), where an insertion sort costs a
 * few comparisons and no typed-array view. Many hits take the native sort: no order of them costs
 * more than n log n.
 */
function sortPrefix(values: Float64Array, count: number): void {
  if (count > 64) {
    values.subarray(0, count).sort();
    return;
  }
  for (let i = 1; i < count; i++) {
    const value = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > value) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = value;
  }
}

function grow<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 128) return false;
  return true;
}
