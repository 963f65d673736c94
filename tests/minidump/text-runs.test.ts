import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forEachAsciiRun, forEachUtf16Run, MIN_RUN } from '../../src/minidump/text-runs.js';
import { FIXTURES } from './helpers.js';

const printable = (b: number) => (b >= 0x20 && b <= 0x7e) || b === 0x09 || b === 0x0a || b === 0x0d;

/** The byte-by-byte scans the skip scans must agree with. */
function asciiByByte(bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < bytes.length; i++) {
    if (printable(bytes[i]!)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= MIN_RUN) out.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0 && bytes.length - start >= MIN_RUN) out.push([start, bytes.length]);
  return out;
}

function utf16ByUnit(bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let parity = 0; parity < 2; parity++) {
    let start = -1;
    let i = parity;
    for (; i + 1 < bytes.length; i += 2) {
      if (bytes[i + 1] === 0 && printable(bytes[i]!)) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        if (i - start >= 2 * MIN_RUN) out.push([start, i]);
        start = -1;
      }
    }
    if (start >= 0 && i - start >= 2 * MIN_RUN) out.push([start, i]);
  }
  return out;
}

function collect(scan: (b: Uint8Array, on: (s: number, e: number) => void) => void, bytes: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  scan(bytes, (s, e) => out.push([s, e]));
  return out;
}

/** Text-heavy random bytes: runs of every length around MIN_RUN, in both encodings, at both parities. */
function randomBytes(seed: number, length: number): Uint8Array {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const r = next();
    out[i] = r < 0.55 ? 0x41 + Math.floor(next() * 26) : r < 0.75 ? 0 : Math.floor(next() * 256);
  }
  return out;
}

describe('text run scans', () => {
  it('find exactly the runs a byte-by-byte scan finds (random text-heavy bytes, every small length)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const bytes = randomBytes(seed, seed % 40 === 0 ? 4096 : seed % 50);
      expect(collect(forEachAsciiRun, bytes)).toEqual(asciiByByte(bytes));
      expect(collect(forEachUtf16Run, bytes)).toEqual(utf16ByUnit(bytes));
    }
  });

  it('find exactly those runs in real Chromium dumps', () => {
    for (const file of [FIXTURES.renderer, FIXTURES.gpu]) {
      const bytes = readFileSync(file);
      expect(collect(forEachAsciiRun, bytes)).toEqual(asciiByByte(bytes));
      expect(collect(forEachUtf16Run, bytes)).toEqual(utf16ByUnit(bytes));
    }
  });

  it('edge cases: all text, no text, a run touching either end', () => {
    const text = Buffer.from('abcdefghij');
    expect(collect(forEachAsciiRun, text)).toEqual([[0, 10]]);
    expect(collect(forEachAsciiRun, Buffer.from('abcde'))).toEqual([]);
    expect(collect(forEachAsciiRun, new Uint8Array(100))).toEqual([]);
    const wide = Buffer.from('\u0001abcdefg', 'utf16le');
    expect(collect(forEachUtf16Run, wide)).toEqual(utf16ByUnit(wide));
  });
});
