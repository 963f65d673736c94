import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occursAt } from '../../src/bundle/occurs-at.js';

describe('occursAt', () => {
  it('answers as startsWith at a position in the text does, and false outside it', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'k', 'S', 'K', '-', 'é', '\u212a'), maxLength: 20 });
    fc.assert(
      fc.property(text, text, fc.integer({ min: -3, max: 25 }), (haystack, literal, at) => {
        const inside = at >= 0 && at <= haystack.length;
        expect(occursAt(haystack, literal, at)).toBe(inside && haystack.startsWith(literal, at));
      }),
      { numRuns: 3000 },
    );
  });
});
