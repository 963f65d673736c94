/** Printable ASCII, tab, newline, carriage return: what a detector could read as text. */
const PRINTABLE = (() => {
  const table = new Uint8Array(256);
  for (let b = 0x20; b <= 0x7e; b++) table[b] = 1;
  table[0x09] = table[0x0a] = table[0x0d] = 1;
  return table;
})();

/** Runs shorter than this carry no secret the detectors know (`password=x` is 10). */
export const MIN_RUN = 6;

/**
 * Calls `onRun(start, end)` for every run of at least MIN_RUN printable ASCII bytes in `bytes`.
 * A table-driven loop: a regex (`/[ -~]{6,}/g`) retries at every position of the many short runs
 * binary memory is full of, and costs several times as much.
 */
export function forEachAsciiRun(bytes: Uint8Array, onRun: (start: number, end: number) => void): void {
  const n = bytes.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (PRINTABLE[bytes[i]!] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= MIN_RUN) onRun(start, i);
      start = -1;
    }
  }
  if (start >= 0 && n - start >= MIN_RUN) onRun(start, n);
}

/** As forEachAsciiRun for UTF-16LE text (a printable byte then 0x00), at even and at odd offsets; `end` is exclusive, in bytes. */
export function forEachUtf16Run(bytes: Uint8Array, onRun: (start: number, end: number) => void): void {
  const n = bytes.length;
  for (let parity = 0; parity < 2; parity++) {
    let start = -1;
    let i = parity;
    for (; i + 1 < n; i += 2) {
      if (bytes[i + 1] === 0 && PRINTABLE[bytes[i]!] === 1) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        if (i - start >= 2 * MIN_RUN) onRun(start, i);
        start = -1;
      }
    }
    if (start >= 0 && i - start >= 2 * MIN_RUN) onRun(start, i);
  }
}
