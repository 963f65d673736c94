import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/bundle/redactor.js';
import { createSecretFinder, readMinidump, scrubMinidump, scrubMinidumpPaced } from '../../src/minidump/index.js';
import { withMemory64 } from '../../bench/minidump-grow.mjs';
import { FIXTURES } from './helpers.js';

const who = { homedir: '/home/zedcrashuser', username: 'zedcrashuser' };
const finder = () => createSecretFinder({ redactor: createRedactor(who), ...who });

describe('paced scrubbing (the main-thread path)', () => {
  it('writes the same bytes and counts as the one-pass scrub, however small the pieces, and pauses between them', async () => {
    const real = readFileSync(FIXTURES.renderer);
    // One long Memory64 region made of the dump's own memory: text of every kind, crossing piece sizes.
    const regions = readMinidump(real).memory.map((m) => real.subarray(m.data.rva, m.data.rva + m.data.size));
    const grown = Buffer.from(withMemory64(real, [Buffer.concat(regions)]));
    for (const source of [real, readFileSync(FIXTURES.gpu), grown]) {
      const once = Buffer.from(source);
      const expected = scrubMinidump(once, finder());
      for (const piece of [64, 1000, 4096]) {
        const paced = Buffer.from(source);
        let pauses = 0;
        const stats = await scrubMinidumpPaced(paced, finder(), () => (pauses++, Promise.resolve()), piece);
        expect(paced.equals(once), `piece ${piece}`).toBe(true);
        expect(stats).toEqual(expected);
        expect(pauses).toBeGreaterThan(expected.regions);
      }
    }
  });
});
