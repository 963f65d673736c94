import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/bundle/bounded-memo.js';

/** The per-text verdict caches of the redactor's word, value and run judgments. */
describe('boundedMemo', () => {
  it('judges each text once and answers every text as its judge would', () => {
    const judged: string[] = [];
    const memo = boundedMemo((text: string) => (judged.push(text), text.length % 3), 100);
    const line = '{"usage":{"input_tokens":1,"output_tokens":2}} Support/Codex/logs/main-0';
    const texts = ['input_tokens', 'output_tokens', 'Support/Codex/logs/main-0', 'Support/Codex/logs/main-1'];
    for (let round = 0; round < 3; round++) {
      for (const text of texts) expect(memo(text)).toBe(text.length % 3);
      // Sliced from a line, as the redactor asks: equal texts, other string objects.
      expect(memo(line.slice(line.indexOf('input_tokens'), line.indexOf('input_tokens') + 12))).toBe(0);
    }
    expect(judged).toEqual(texts);
  });

  it('tells apart texts that share a front slot (same length, first and last character)', () => {
    const memo = boundedMemo((text: string) => text, 1000);
    const texts = Array.from({ length: 500 }, (_, i) => `a${String(i).padStart(5, '0')}z`);
    for (let round = 0; round < 2; round++) for (const text of texts) expect(memo(text)).toBe(text);
  });

  it('keeps at most `limit` texts and none longer than `maxLength`, and still answers them', () => {
    let calls = 0;
    const memo = boundedMemo((text: string) => (calls++, text.toUpperCase()), 2, 5);
    for (const text of ['ab', 'cd', 'ef', 'long text']) expect(memo(text)).toBe(text.toUpperCase());
    calls = 0;
    expect(memo('ab')).toBe('AB');
    expect(memo('cd')).toBe('CD');
    expect(calls).toBe(0);
    // Past the limit and past the length: judged again each time they fall out of the front slots.
    expect(memo('long text')).toBe('LONG TEXT');
    expect(calls).toBe(1);
  });
});
