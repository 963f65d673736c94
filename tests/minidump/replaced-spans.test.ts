import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/bundle/redactor.js';
import { EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createSecretFinder, replacedSpans } from '../../src/minidump/index.js';

const star = (text: string, spans: { start: number; end: number }[]) => {
  const chars = [...text];
  for (const s of spans) for (let i = s.start; i < s.end; i++) chars[i] = '*';
  return chars.join('');
};

describe('replacedSpans: where the redactor replaced text', () => {
  it('finds one replacement, several, adjacent ones, and the home dir', () => {
    expect(replacedSpans('a password=hunter2 b', 'a password=[REDACTED:secret_field] b')).toEqual([{ start: 11, end: 18 }]);
    expect(replacedSpans('x AKIAIOSFODNN7EXAMPLE y AKIAIOSFODNN7EXAMPLF z', 'x [REDACTED:aws] y [REDACTED:aws] z')).toEqual([
      { start: 2, end: 22 },
      { start: 25, end: 45 },
    ]);
    expect(replacedSpans('/home/alice/x', '~/x')).toEqual([{ start: 0, end: 11 }]);
    expect(replacedSpans('same', 'same')).toEqual([]);
  });

  it('takes a superset when a literal repeats inside the secret', () => {
    // The secret contains " b" which is also the literal after it.
    const spans = replacedSpans('k=x b y b', 'k=[REDACTED:r] b');
    expect(star('k=x b y b', spans)).toBe('k=***** b');
  });

  it('falls back to the whole text when the output does not align', () => {
    expect(replacedSpans('abc', 'xyz')).toEqual([{ start: 0, end: 3 }]);
  });

  it('property: starring the spans of any redaction removes every secret the redactor removed', () => {
    const finder = createSecretFinder({ redactor: createRedactor(EXAMPLE_CONTEXT), ...EXAMPLE_CONTEXT });
    const secrets = ['ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345', 'password=hunter2x', '/home/alice/.ssh', 'jane.doe@example.com', 'AKIAIOSFODNN7EXAMPLE'];
    const filler = fc.string({ unit: fc.constantFrom(...' abc=:/-_.~[]x0'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, fc.constantFrom(...secrets)), { minLength: 1, maxLength: 5 }), filler, (parts, tail) => {
        const text = parts.map(([f, s]) => `${f} ${s} `).join('') + tail;
        const scrubbed = star(text, finder.spans(text));
        expect(scrubbed.length).toBe(text.length);
        for (const [, secret] of parts) {
          const core = secret.replace(/^password=/, '').replace(/^\/home\//, '');
          expect(scrubbed.includes(core), `${core} in ${scrubbed}`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
