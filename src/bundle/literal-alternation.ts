/**
 * A regex that finds any of `literals` (which must not be empty), grouped by their first character
 * (`p(?:word|ass|at|in)`): V8 tries an alternation's branches one after another at each position, so
 * grouped, a position is turned down by one test of its character rather than one per literal.
 */
export function literalAlternation(literals: readonly string[], flags: string): RegExp {
  const byFirst = new Map<string, string[]>();
  for (const literal of new Set(literals)) byFirst.set(literal[0]!, [...(byFirst.get(literal[0]!) ?? []), literal]);
  const branches = [...byFirst].map(([first, group]) => {
    const rests = group.map((k) => k.slice(1)).sort((a, b) => b.length - a.length);
    return rests.includes('') ? escapeRegExp(first) : `${escapeRegExp(first)}(?:${rests.map(escapeRegExp).join('|')})`;
  });
  return new RegExp(branches.join('|'), flags);
}

/** `text` as a regex that matches it literally (for patterns without the `u` flag). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/\-]/g, '\\$&');
}
