/** Printable ASCII, tab, newline, carriage return: what a detector could read as text. */
const PRINTABLE = (() => {
  const table = new Uint8Array(256);
  for (let b = 0x20; b <= 0x7e; b++) table[b] = 1;
  table[0x09] = table[0x0a] = table[0x0d] = 1;
  return table;
})();

export function isPrintable(byte: number): boolean {
  return PRINTABLE[byte] === 1;
}

/** Runs shorter than this carry no secret the detectors know (`password=x` is 10). */
export const MIN_RUN = 6;

/**
 * Calls `onRun(start, end)` for every run of at least MIN_RUN printable ASCII bytes in `bytes`, in order.
 * A skip scan: every run that long covers one of every MIN_RUN-th byte, so only those are probed and a
 * printable probe is widened to its run. Binary memory (most of a dump) costs about length / MIN_RUN
 * steps; the runs found are exactly those of a byte-by-byte scan.
 */
export function forEachAsciiRun(bytes: Uint8Array, onRun: (start: number, end: number) => void): void {
  const n = bytes.length;
  let i = MIN_RUN - 1;
  while (i < n) {
    if (PRINTABLE[bytes[i]!] !== 1) {
      i += MIN_RUN;
      continue;
    }
    let start = i;
    while (start > 0 && PRINTABLE[bytes[start - 1]!] === 1) start--;
    let end = i + 1;
    while (end < n && PRINTABLE[bytes[end]!] === 1) end++;
    if (end - start >= MIN_RUN) onRun(start, end);
    // bytes[end] is not printable: the next run starts after it.
    i = end + MIN_RUN;
  }
}

/**
 * As forEachAsciiRun for UTF-16LE text (a printable byte then 0x00), at even and then at odd offsets;
 * `end` is exclusive, in bytes. The same skip scan over code units.
 */
export function forEachUtf16Run(bytes: Uint8Array, onRun: (start: number, end: number) => void): void {
  const n = bytes.length;
  for (let parity = 0; parity < 2; parity++) {
    // Code unit k is bytes[parity + 2k], bytes[parity + 2k + 1].
    const units = n - parity >= 2 ? Math.floor((n - parity) / 2) : 0;
    const isText = (k: number) => bytes[parity + 2 * k + 1] === 0 && PRINTABLE[bytes[parity + 2 * k]!] === 1;
    let k = MIN_RUN - 1;
    while (k < units) {
      if (!isText(k)) {
        k += MIN_RUN;
        continue;
      }
      let start = k;
      while (start > 0 && isText(start - 1)) start--;
      let end = k + 1;
      while (end < units && isText(end)) end++;
      if (end - start >= MIN_RUN) onRun(parity + 2 * start, parity + 2 * end);
      k = end + MIN_RUN;
    }
  }
}
