/** Slots of the direct-mapped cache in front of each memo (a power of two). */
const FRONT_SLOTS = 64;
/** V8 makes a slice this long or longer a view of its whole parent string (a log line). */
const SLICED_STRING_MIN_LENGTH = 13;

/**
 * `judge` remembered per text, for the words, values and runs log lines repeat: at most `limit`
 * entries (then new texts are judged each time), and only texts up to `maxLength` characters.
 * `judge` must not return undefined.
 *
 * A Map keyed by a string just sliced from a line costs V8 a hash of the new string on every lookup
 * (about as much as the rest of a clean line's judging). In front of it sits a small direct-mapped
 * cache, indexed by the text's length and its first and last characters, that costs one string
 * comparison: a log's repeated words and runs are found there. What is kept is a copy, not the slice:
 * a slice would keep its whole line alive.
 */
export function boundedMemo<T>(judge: (text: string) => T, limit: number, maxLength = Infinity): (text: string) => T {
  const known = new Map<string, { text: string; verdict: T }>();
  const frontTexts: Array<string | undefined> = new Array<string | undefined>(FRONT_SLOTS).fill(undefined);
  const frontVerdicts: T[] = new Array<T>(FRONT_SLOTS);
  return (text) => {
    const length = text.length;
    const slot = length === 0 ? 0 : (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length - 1)) & (FRONT_SLOTS - 1);
    if (frontTexts[slot] === text) return frontVerdicts[slot]!;
    let entry = known.get(text);
    if (entry === undefined) {
      const verdict = judge(text);
      if (length > maxLength) return verdict;
      entry = { text: detached(text), verdict };
      if (known.size < limit) known.set(entry.text, entry);
    }
    frontTexts[slot] = entry.text;
    frontVerdicts[slot] = entry.verdict;
    return entry.verdict;
  };
}

/** The text as a string of its own (a slice of a long line holds on to the line). */
function detached(text: string): string {
  return text.length < SLICED_STRING_MIN_LENGTH ? text : [...text].join('');
}
