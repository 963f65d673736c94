/**
 * `judge` remembered per text, for the words, values and runs log lines repeat: at most `limit`
 * entries (then new texts are judged each time), and only texts up to `maxLength` characters.
 * `judge` must not return undefined.
 */
export function boundedMemo<T>(judge: (text: string) => T, limit: number, maxLength = Infinity): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    const cached = known.get(text);
    if (cached !== undefined) return cached;
    const verdict = judge(text);
    if (text.length <= maxLength && known.size < limit) known.set(text, verdict);
    return verdict;
  };
}
