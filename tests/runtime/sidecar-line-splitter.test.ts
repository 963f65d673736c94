import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/runtime/sidecar-line-splitter.js';

function split(chunks: Buffer[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are chunked (multi-byte characters split anywhere)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, '')), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const at of points) {
          chunks.push(bytes.subarray(from, at));
          from = at;
        }
        chunks.push(bytes.subarray(from));
        expect(split(chunks)).toEqual(lines);
      }),
    );
  });

  it('emits a final line without newline, drops CR before LF, makes invalid UTF-8 U+FFFD', () => {
    expect(split([Buffer.from('a\r\nb'), Buffer.from([0xff, 0x0a]), Buffer.from('tail')])).toEqual(['a', 'b\ufffd', 'tail']);
    expect(split([])).toEqual([]);
    expect(split([Buffer.from('\n\n')])).toEqual(['', '']);
  });

  it('cuts an over-long line with a visible marker and keeps memory bounded, never splitting a character', () => {
    const long = '€'.repeat(10); // 30 bytes
    const lines = split([Buffer.from(long.slice(0, 4)), Buffer.from(`${long.slice(4)}\nnext\n`)], 8);
    expect(lines).toEqual(['€€ [... line cut: 24 more bytes]', 'next']);
  });
});
