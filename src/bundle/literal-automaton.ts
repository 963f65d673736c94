/**
 * Many literals found in one pass over a text (Aho-Corasick over UTF-16 code units). A text is read
 * once, one table lookup per character, however many literals there are: V8's regexes try the
 * alternatives of `a|b|c|…` one after another at each position, and one `includes` per literal reads
 * the text once per literal.
 *
 * ASCII letters are folded to lower case in the automaton; a literal marked `caseless` matches in any
 * ASCII case (as a regex's `i` flag without `u` does), any other literal is checked for its exact case
 * where the automaton finds it. Literals hold ASCII characters only.
 */
import { occursAt } from './occurs-at.js';

export interface LiteralEntry {
  literal: string;
  /** Matches any ASCII case of the literal. */
  caseless?: boolean;
}

/**
 * Called for every occurrence of a literal, in the order the occurrences end; `index` is the entry's
 * position in the list the automaton was built from. Returning true stops the scan.
 */
export type LiteralHit = (index: number, start: number) => boolean;

export interface LiteralAutomaton {
  /** Reports every occurrence of every literal within text[from, to); true when a hit stopped the scan. */
  scan(text: string, hit: LiteralHit, from?: number, to?: number): boolean;
}

/** Characters outside every literal share class 0; ASCII letters share a class with their lower case. */
function classTable(entries: readonly LiteralEntry[]): { classes: Uint8Array; width: number } {
  const classes = new Uint8Array(128);
  let width = 1;
  for (const { literal } of entries) {
    for (let i = 0; i < literal.length; i++) {
      const code = fold(literal.charCodeAt(i));
      if (code >= 128) throw new Error(`literal ${JSON.stringify(literal)} is not ASCII`);
      if (classes[code] === 0) classes[code] = width++;
    }
  }
  for (let c = 0x41; c <= 0x5a; c++) classes[c] = classes[c + 0x20]!;
  return { classes, width };
}

function fold(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** An automaton's tables: what both scanners (this file's, and the kernel in literal-scan-kernel.ts) read. */
export interface LiteralDfa {
  /** Character class of each ASCII code (ASCII letters share their lower case's); 0 outside every literal. */
  classes: Uint8Array;
  width: number;
  /** table[state * width + class]: the next state shifted left by one, the low bit set when literals end there. */
  table: Int32Array;
  /** The literals ending at state s: outputs[outputStart[s] .. outputStart[s + 1]). */
  outputStart: Int32Array;
  outputs: Int32Array;
  lengths: Int32Array;
  /** The exact text of a literal that must match in its case, null for one that matches in any case. */
  exact: Array<string | null>;
}

export function buildLiteralDfa(entries: readonly LiteralEntry[]): LiteralDfa {
  const { classes, width } = classTable(entries);
  // The trie: edges[state * width + class], -1 where there is no edge. A trie has at most one state
  // per literal character (plus the root), so its table is sized once.
  const maxStates = 1 + entries.reduce((sum, e) => sum + e.literal.length, 0);
  const edges = new Int32Array(maxStates * width).fill(-1);
  const ending: number[][] = [[]];
  let states = 1;
  entries.forEach(({ literal }, index) => {
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const cls = classes[fold(literal.charCodeAt(i))]!;
      let next = edges[state * width + cls]!;
      if (next === -1) {
        next = states++;
        ending.push([]);
        edges[state * width + cls] = next;
      }
      state = next;
    }
    ending[state]!.push(index);
  });
  // Failure links, breadth first; missing edges become the failure state's edge (a full DFA), and each
  // state's output gathers the literals ending at its failure states.
  const delta = new Int32Array(states * width);
  const failure = new Int32Array(states);
  const queue: number[] = [];
  for (let cls = 0; cls < width; cls++) {
    const next = edges[cls]!;
    delta[cls] = next === -1 ? 0 : next;
    if (next !== -1) queue.push(next);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    for (const inherited of ending[failure[state]!]!) ending[state]!.push(inherited);
    for (let cls = 0; cls < width; cls++) {
      const next = edges[state * width + cls]!;
      const fallback = delta[failure[state]! * width + cls]!;
      if (next === -1) {
        delta[state * width + cls] = fallback;
      } else {
        failure[next] = fallback;
        delta[state * width + cls] = next;
        queue.push(next);
      }
    }
  }
  // Outputs flattened: the literals ending at state s are output[outputStart[s] .. outputStart[s + 1]).
  // The table holds each next state shifted left by one, its low bit set when literals end there, so
  // the scan loop reads one array per character.
  const outputStart = new Int32Array(states + 1);
  const output: number[] = [];
  for (let s = 0; s < states; s++) {
    outputStart[s] = output.length;
    for (const index of ending[s]!) output.push(index);
  }
  outputStart[states] = output.length;
  const table = new Int32Array(states * width);
  for (let i = 0; i < table.length; i++) {
    const next = delta[i]!;
    table[i] = (next << 1) | (ending[next]!.length > 0 ? 1 : 0);
  }
  const outputs = Int32Array.from(output);
  const lengths = Int32Array.from(entries.map((e) => e.literal.length));
  const exact = entries.map((e) => (e.caseless || e.literal.toLowerCase() === e.literal.toUpperCase() ? null : e.literal));
  return { classes, width, table, outputStart, outputs, lengths, exact };
}

export function compileLiterals(entries: readonly LiteralEntry[]): LiteralAutomaton {
  const { classes, width, table, outputStart, outputs, lengths, exact } = buildLiteralDfa(entries);
  return {
    scan(text, hit, from = 0, to = text.length) {
      let state = 0;
      for (let i = from; i < to; i++) {
        const code = text.charCodeAt(i);
        const entry = table[state * width + (code < 128 ? classes[code]! : 0)]!;
        state = entry >> 1;
        if ((entry & 1) === 0) continue;
        const last = outputStart[state + 1]!;
        for (let k = outputStart[state]!; k < last; k++) {
          const index = outputs[k]!;
          const start = i + 1 - lengths[index]!;
          const literal = exact[index];
          if (literal != null && !occursAt(text, literal, start)) continue;
          if (hit(index, start)) return true;
        }
      }
      return false;
    },
  };
}
