import type { ReadPoint } from './follow-file.js';

/** How many of a file's first bytes are kept to recognise a copy of it. */
export const HEAD_BYTES = 256;
/** Read points of truncated files kept for a copy that shows up after the truncation was seen. */
const MAX_TRUNCATED = 64;

/** A file as far as it was read: its first bytes and where reading stood. */
export interface CopySource {
  head: Uint8Array;
  point: ReadPoint;
}

/**
 * What a new file is: a copy of a followed file (logrotate's `copytruncate` copies the file, then
 * truncates it in place), to be read from where that file's reading stood; 'undecided' while its
 * bytes so far are shorter than, and equal to the start of, such a file's first bytes (a copy being
 * written); 'new' otherwise.
 */
export type CopyVerdict = { copyOf: ReadPoint } | 'undecided' | 'new';

/**
 * Compares a new file's first bytes (`prefix`: up to HEAD_BYTES) with the first bytes of the files
 * followed or recently truncated. Equal over a source's whole head makes it a copy of that source;
 * its read point is checked again when the copy has grown to it (the 256 bytes before the offset).
 */
export function recogniseCopy(prefix: Uint8Array, sources: Iterable<CopySource>): CopyVerdict {
  let undecided = false;
  for (const source of sources) {
    const { head, point } = source;
    if (head.length === 0 || point.offset === 0) continue;
    const n = Math.min(prefix.length, head.length);
    if (!sameBytes(prefix, head, n)) continue;
    if (prefix.length >= head.length) return { copyOf: point };
    undecided = true;
  }
  return undecided ? 'undecided' : 'new';
}

/** The read points of files seen truncated, newest last and bounded, for a copy seen after it. */
export class TruncatedFiles {
  private readonly sources: CopySource[] = [];

  add(source: CopySource): void {
    if (source.head.length === 0 || source.point.offset === 0) return;
    this.sources.push(source);
    if (this.sources.length > MAX_TRUNCATED) this.sources.shift();
  }

  /** Newest first: the latest truncation is the likeliest source of a copy. */
  *newestFirst(): Iterable<CopySource> {
    for (let i = this.sources.length - 1; i >= 0; i--) yield this.sources[i]!;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
