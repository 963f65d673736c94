export interface StackCount {
  stack: string;
  count: number;
}

/**
 * The most frequent of the sampled stacks, most frequent first (ties: first seen first). A hung
 * renderer is usually stuck in one loop, so the top stack is where it hangs; the next few show
 * what else was on the thread.
 */
export function rankStacks(samples: readonly string[], top = 3): StackCount[] {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const stack = sample.trim();
    if (stack === '') continue;
    counts.set(stack, (counts.get(stack) ?? 0) + 1);
  }
  // Map keeps insertion order and Array.prototype.sort is stable, so ties stay first-seen first.
  return [...counts.entries()]
    .map(([stack, count]) => ({ stack, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, Math.max(0, top));
}
