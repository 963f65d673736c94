/** A half-open range of characters `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** What the redactor puts in place of what it removes: its markers, `~` for the home dir, `[user]`. */
const REPLACEMENT = /\[REDACTED:[^\]\s]{1,64}\]|\[user\]|~/g;

/**
 * Which characters of `input` the redactor replaced to produce `output`. The redactor's API returns
 * text, not positions; its output is the input with some substrings replaced by markers, so the
 * literal pieces of the output are matched back into the input. A literal can occur more than once,
 * so each gap is taken from the earliest possible end of the literal before it to the latest possible
 * start of the literal after it: a superset of what was replaced, never less. An output that does
 * not align (a future rule that rewrites rather than replaces) yields the whole input.
 */
export function replacedSpans(input: string, output: string): Span[] {
  if (input === output) return [];
  const literals: string[] = [];
  let last = 0;
  for (const match of output.matchAll(REPLACEMENT)) {
    const literal = output.slice(last, match.index);
    // Adjacent replacements form one gap.
    if (literal !== '' || literals.length === 0) literals.push(literal);
    last = match.index + match[0].length;
  }
  if (literals.length === 0) return [{ start: 0, end: input.length }];
  literals.push(output.slice(last));
  const spans = alignGaps(input, literals);
  return spans ?? [{ start: 0, end: input.length }];
}

function alignGaps(input: string, literals: string[]): Span[] | null {
  const k = literals.length - 1;
  const first = literals[0]!;
  const final = literals[k]!;
  if (!input.startsWith(first) || !input.endsWith(final)) return null;
  const finalStart = input.length - final.length;
  // Earliest end of each literal, left to right, leaving at least one character per gap.
  const earliestEnd: number[] = [first.length];
  for (let m = 1; m < k; m++) {
    const at = input.indexOf(literals[m]!, earliestEnd[m - 1]! + 1);
    if (at < 0) return null;
    earliestEnd.push(at + literals[m]!.length);
  }
  if (finalStart < earliestEnd[k - 1]! + 1) return null;
  // Latest start of each literal, right to left.
  const latestStart: number[] = new Array<number>(k + 1);
  latestStart[k] = finalStart;
  for (let m = k - 1; m >= 1; m--) {
    const limit = latestStart[m + 1]! - 1 - literals[m]!.length;
    if (limit < 0) return null;
    const at = input.lastIndexOf(literals[m]!, limit);
    if (at < 0) return null;
    latestStart[m] = at;
  }
  const spans: Span[] = [];
  for (let m = 1; m <= k; m++) spans.push({ start: earliestEnd[m - 1]!, end: latestStart[m]! });
  return mergeSpans(spans);
}

/** Sorted, with overlapping or touching spans joined. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const span of sorted) {
    const previous = out[out.length - 1];
    if (previous && span.start <= previous.end) previous.end = Math.max(previous.end, span.end);
    else out.push({ ...span });
  }
  return out;
}
