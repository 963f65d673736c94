/**
 * Whether a value nests objects or arrays more than `limit` levels deep. Iterative, so it answers
 * for any depth without using the call stack (a 5,000-level file would overflow recursive code).
 * Each object is visited once, so shared or cyclic references cannot make it loop.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const seen = new WeakSet<object>();
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    if (depth > limit) return true;
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/** How deep a state file or an incident may nest: far beyond any real one, far below the stack's limit. */
export const MAX_JSON_DEPTH = 64;
