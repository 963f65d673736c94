import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/bundle/redactor.js';
import { createSecretFinder, readMinidump, scrubMinidump, scrubMinidumpPaced } from '../../src/minidump/index.js';
import { readMinidumpPaced } from '../../src/minidump/read-minidump.js';
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

  it('lists thousands of memory regions in turns, with the same result as reading them in one go', async () => {
    const real = readFileSync(FIXTURES.renderer);
    const small = readMinidump(real).memory.map((m) => real.subarray(m.data.rva, m.data.rva + Math.min(m.data.size, 64)));
    const many = Array.from({ length: 3000 }, (_, i) => small[i % small.length]!);
    const grown = withMemory64(real, many);
    let pauses = 0;
    const paced = await readMinidumpPaced(grown, () => (pauses++, Promise.resolve()));
    expect(paced).toEqual(readMinidump(grown));
    expect(paced.memory.length).toBeGreaterThan(3000);
    // A turn every 512 regions: the structure of a full-memory dump never holds the thread in one go.
    expect(pauses).toBe(Math.floor(3000 / 512) + Math.floor(readMinidump(real).memory.length / 512));

    const truncated = grown.subarray(0, grown.length - 10);
    await expect(readMinidumpPaced(truncated, () => undefined)).rejects.toMatchObject({ code: 'MINIDUMP_INVALID' });
    expect(() => readMinidump(truncated)).toThrow(expect.objectContaining({ code: 'MINIDUMP_INVALID' }));
  });
});
