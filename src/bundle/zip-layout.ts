/** Where one entry's local header and data sit in the file. */
export interface EntryRegion {
  name: string;
  /** Offset of the local file header. */
  start: number;
  /** End of the compressed data (a data descriptor may follow). */
  end: number;
}

/** A data descriptor after the data: signature, crc, sizes (zip64: 8-byte sizes). */
const MAX_DESCRIPTOR_BYTES = 24;

/**
 * Problems with how the entries the central directory lists cover the file. Tools that read a
 * zip front to back (streaming extractors) see local headers, not the central directory: bytes no
 * listed entry covers can hold a hidden entry, and overlapping entries are a zip-bomb technique.
 * The entries must tile the file from 0 to the central directory, allowing only a data descriptor
 * after each.
 */
export function zipLayoutProblems(regions: readonly EntryRegion[], centralDirectoryOffset: number | undefined): string[] {
  const problems: string[] = [];
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  let covered = 0;
  let previous: EntryRegion | undefined;
  for (const region of sorted) {
    if (previous && region.start < covered) {
      problems.push(`entry ${JSON.stringify(region.name)}: overlaps entry ${JSON.stringify(previous.name)} (bytes ${region.start}..${covered})`);
    } else if (region.start - covered > (previous ? MAX_DESCRIPTOR_BYTES : 0)) {
      problems.push(`bytes ${covered}..${region.start}: not part of any entry the central directory lists (hidden data)`);
    }
    covered = Math.max(covered, region.end);
    previous = region;
  }
  if (centralDirectoryOffset !== undefined && sorted.length > 0 && centralDirectoryOffset - covered > MAX_DESCRIPTOR_BYTES) {
    problems.push(`bytes ${covered}..${centralDirectoryOffset}: not part of any entry the central directory lists (hidden data)`);
  }
  return problems;
}
