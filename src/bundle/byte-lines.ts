import { StringDecoder } from 'node:string_decoder';

export interface StreamLine {
  text: string;
  /** False only for a last line without a trailing newline. */
  newline: boolean;
}

/**
 * Lines of a byte stream, split on `\n` before decoding (so a character split across chunks is
 * never mangled); `\r` stays part of the line. Memory holds one line at a time.
 */
export async function* byteLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<StreamLine> {
  let pending: Buffer[] = [];
  for await (const raw of stream) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let index = chunk.indexOf(0x0a);
    while (index >= 0) {
      pending.push(chunk.subarray(0, index));
      yield { text: decode(pending), newline: true };
      pending = [];
      chunk = chunk.subarray(index + 1);
      index = chunk.indexOf(0x0a);
    }
    if (chunk.length > 0) pending.push(chunk);
  }
  if (pending.length > 0) yield { text: decode(pending), newline: false };
}

function decode(parts: Buffer[]): string {
  // One decoder per line: invalid UTF-8 becomes U+FFFD and never bleeds into the next line.
  const decoder = new StringDecoder('utf8');
  return decoder.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts)) + decoder.end();
}
