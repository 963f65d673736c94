/**
 * Whether `literal` occurs in `text` starting at `at`, compared character by character: for a position
 * in the text, the answer of `text.startsWith(literal, at)`, which V8 (Node 20) serves with a position
 * argument by a slow path costing about as much as hashing a new string, and the prefilter asks it for
 * every literal the case-folded scan finds (a case-sensitive `SK` found as the `sk` of `desktop`).
 * Outside the text (where startsWith would clamp the position) nothing occurs.
 */
export function occursAt(text: string, literal: string, at: number): boolean {
  if (at < 0 || at + literal.length > text.length) return false;
  for (let i = 0; i < literal.length; i++) if (text.charCodeAt(at + i) !== literal.charCodeAt(i)) return false;
  return true;
}
