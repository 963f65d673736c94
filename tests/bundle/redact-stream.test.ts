import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactionPieces } from '../../src/bundle/redact-stream.js';
import { EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';

async function pieces(text: string, pieceBytes: number, chunk = 4096) {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const out = [];
  for await (const piece of redactionPieces(Readable.from(chunks), pieceBytes)) out.push(piece);
  return out;
}

describe('redactionPieces: a long line in pieces', () => {
  it('gives back every byte, lines intact, a long line cut into bounded pieces at character boundaries', async () => {
    const long = Array.from({ length: 4000 }, (_, i) => `"k${i}":"välue ${i} ✓ 用户"`).join(',');
    const text = `short line\n{${long}}\nlast`;
    const out = await pieces(text, 8192, 1000);
    expect(out.map((p) => p.text + (p.newline ? '\n' : '')).join('')).toBe(text);
    expect(out.length).toBeGreaterThan(10);
    for (const p of out) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(8192 + 2048 + 1000);
    expect(out.filter((p) => p.newline).length).toBe(2);
  });

  it('ends a piece between JSON members, so a key and its value are redacted together', async () => {
    const members = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `"password":"pw-${i}-secret"` : `"field${i}":"value number ${i}"`));
    const text = `{${members.join(',')}}`;
    const session = createRedactor(EXAMPLE_CONTEXT).session();
    const redacted = (await pieces(text, 4096)).map((p) => session.line(p.text)).join('');
    expect(redacted).not.toMatch(/pw-\d+-secret/);
    expect(redacted).toContain('"field1":"value number 1"');
    expect(session.counts().secret_field).toBe(members.filter((m) => m.startsWith('"password"')).length);
  });

  it('keeps `key: value` pairs of plain text in one piece', async () => {
    const words = Array.from({ length: 5000 }, (_, i) => (i % 11 === 0 ? `password: pw${i}x` : `word${i}`));
    const session = createRedactor(EXAMPLE_CONTEXT).session();
    const redacted = (await pieces(words.join(' '), 4096)).map((p) => session.line(p.text)).join('');
    expect(redacted).not.toMatch(/pw\d+x/);
  });
});
