import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/bundle/redactor.js';
import { createSecretFinder, readMinidump, scrubMinidump, summariseMinidump } from '../../src/minidump/index.js';
import { hasChromium, useChromiumCrashes, PLANTED } from '../helpers/chromium-crash.js';
import { withMemory64 } from '../../bench/minidump-grow.mjs';
import { FIXTURES, hasStackwalk, stackwalk } from './helpers.js';
import { occurrences } from '../helpers/occurrences.js';

function finderFor(homedir: string, username: string) {
  return createSecretFinder({ redactor: createRedactor({ homedir, username }), homedir, username });
}

/** The bytes that differ are all `*` (or the high byte of a UTF-16 `*`). */
function onlyStarsChanged(before: Uint8Array, after: Uint8Array): { changed: number; others: number } {
  let changed = 0;
  let others = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i]) continue;
    changed++;
    if (after[i] !== 0x2a && !(after[i] === 0 && after[i - 1] === 0x2a)) others++;
  }
  return { changed, others };
}

describe('scrubbing a committed Chromium renderer dump', () => {
  it('keeps the size, changes only bytes it stars, counts what it did, and reads back the same structure', () => {
    const original = readFileSync(FIXTURES.renderer);
    const copy = Buffer.from(original);
    // The fixture was made with the profile under this fake home dir, a token in its path.
    const home = readMinidump(original).crashpad!.annotations.find((a) => a.value.startsWith('--user-data-dir='))!.value.replace('--user-data-dir=', '').split(`/${PLANTED.switchToken}`)[0]!;
    const stats = scrubMinidump(copy, finderFor(home, path.basename(home)));
    expect(copy.length).toBe(original.length);
    expect(stats.regions).toBeGreaterThan(20);
    expect(stats.bytesScanned).toBeGreaterThan(50_000);
    expect(stats.matches).toBeGreaterThan(0);
    const { changed, others } = onlyStarsChanged(original, copy);
    expect(changed).toBeGreaterThan(0);
    expect(others).toBe(0);
    for (const secret of [PLANTED.memoryToken, PLANTED.memoryPassword, PLANTED.switchToken, home, path.basename(home)]) {
      expect(occurrences(original, secret), secret).toBeGreaterThan(0);
      expect(occurrences(copy, secret), secret).toBe(0);
    }
    const before = readMinidump(original);
    const after = readMinidump(copy);
    expect(after.modules.map((m) => m.debugId)).toEqual(before.modules.map((m) => m.debugId));
    expect(after.threads).toEqual(before.threads);
    expect(summariseMinidump(copy).processType).toBe('renderer');
    expect(summariseMinidump(copy).annotations.pid).toBe(summariseMinidump(original).annotations.pid);
  });

  it.skipIf(!hasStackwalk)('leaves Breakpad\'s stack walk identical', async () => {
    const original = readFileSync(FIXTURES.renderer);
    const copy = Buffer.from(original);
    scrubMinidump(copy, finderFor('/home/nobody-here', 'nobody-here'));
    const out = path.join(path.dirname(FIXTURES.renderer), '..', '..', '..', 'node_modules', '.scrubbed-fixture.dmp');
    await fsp.writeFile(out, copy);
    try {
      expect(stackwalk(out)).toBe(stackwalk(FIXTURES.renderer));
    } finally {
      await fsp.rm(out, { force: true });
    }
  });

  it('scrubs secrets planted in memory regions of any kind: ASCII, UTF-16LE, Memory64List', () => {
    const ascii = Buffer.from('\0\x01Authorization: Bearer AbCdEf0123456789xyzAbCd\0\xff');
    const wide = Buffer.from('\u0101OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345\0', 'utf16le');
    const env = Buffer.from('HOME=/home/carol\0USER=carol\0GITHUB_TOKEN=tok987654321\0');
    const grown = withMemory64(readFileSync(FIXTURES.gpu), [ascii, Buffer.alloc(100, 0xcc), wide, env]);
    const regionsBefore = readMinidump(grown).memory.length;
    const copy = Buffer.from(grown);
    const stats = scrubMinidump(copy, finderFor('/home/carol', 'carol'));
    expect(readMinidump(copy).memory.length).toBe(regionsBefore);
    expect(stats.matches).toBeGreaterThanOrEqual(5);
    expect(occurrences(copy, 'AbCdEf0123456789xyzAbCd')).toBe(0);
    expect(occurrences(copy, 'AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toBe(0);
    expect(occurrences(copy, 'tok987654321')).toBe(0);
    expect(occurrences(copy, 'carol')).toBe(0);
    expect(occurrences(copy, 'Authorization: ')).toBe(1);
    expect(occurrences(copy, 'OPENAI_API_KEY=')).toBe(1);
    expect(onlyStarsChanged(grown, copy).others).toBe(0);
  });
});

describe.skipIf(!hasChromium)('scrubbing dumps Chromium writes now, secrets planted in the URL, the stack and the crash keys', () => {
  const crashes = useChromiumCrashes();

  it('leaves none of the planted secrets, the home dir or the user name, and the same stack walk', async () => {
    for (const file of [crashes().renderer!.file, crashes().gpu!.file]) {
      const original = await fsp.readFile(file);
      const copy = Buffer.from(original);
      const stats = scrubMinidump(copy, finderFor(crashes().homedir, crashes().username));
      expect(stats.matches).toBeGreaterThan(0);
      expect(copy.length).toBe(original.length);
      for (const secret of [...Object.values(PLANTED), crashes().homedir, crashes().username]) expect(occurrences(copy, secret), `${secret} in ${file}`).toBe(0);
      expect(onlyStarsChanged(original, copy).others).toBe(0);
      if (hasStackwalk) {
        const out = `${file}.scrubbed`;
        await fsp.writeFile(out, copy);
        expect(stackwalk(out)).toBe(stackwalk(file));
      }
    }
    // The renderer's stack held the DevTools message with the planted token: it was there to scrub.
    expect(occurrences(await fsp.readFile(crashes().renderer!.file), PLANTED.memoryToken)).toBeGreaterThan(0);
  });
});
