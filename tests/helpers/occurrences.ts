/** How many times a text occurs in bytes, as UTF-8 and as UTF-16LE: every place it can hide in a dump. */
export function occurrences(bytes: Uint8Array, text: string): number {
  const buffer = Buffer.from(bytes);
  let count = 0;
  for (const encoding of ['utf8', 'utf16le'] as const) {
    const needle = Buffer.from(text, encoding);
    for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + 1)) count++;
  }
  return count;
}
