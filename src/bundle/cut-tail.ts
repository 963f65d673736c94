import { cutMarker } from '../logs/line-cut.js';

/** The marker the log reader appends to a line it cut at 64 KiB (src/logs/line-cut.ts). */
const READER_CUT = /…\[cut (\d{1,15}) bytes\]$/;

/**
 * Splits off the log reader's cut marker and the partial word before it. A secret cut in half
 * (`ghp_AbCd…`, `dana@exam…`) is no longer what any rule recognises, so the word the cut went
 * through is dropped with the rest. Returns the line unchanged (cutBytes 0) when it was not cut.
 */
export function dropCutTail(text: string): { head: string; cutBytes: number } {
  const match = READER_CUT.exec(text);
  if (!match) return { head: text, cutBytes: 0 };
  let start = match.index;
  // Scanned by hand from the end: an anchored regex would retry from every position (quadratic).
  while (start > 0 && !WORD_BREAK.has(text[start - 1]!)) start--;
  const head = text.slice(0, start);
  return { head, cutBytes: Number(match[1]) + Buffer.byteLength(text.slice(start, match.index)) };
}

const WORD_BREAK = new Set([' ', '\t', '\r', '"', "'", '<', '>', ',', ';', '(', ')', '[', ']', '{', '}']);

/** Appends the cut marker for `cutBytes` (none when nothing was cut). */
export function withCutMarker(text: string, cutBytes: number): string {
  return cutBytes > 0 ? text + cutMarker(cutBytes) : text;
}
