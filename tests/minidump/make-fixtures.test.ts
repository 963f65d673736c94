import { promises as fsp } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { crashChromium, hasChromium } from '../helpers/chromium-crash.js';
import { FIXTURES } from './helpers.js';

/**
 * Re-makes the committed fixtures: `MAKE_MINIDUMP_FIXTURES=1 npx vitest run tests/minidump/make-fixtures.test.ts`.
 * The dumps come from Debian's Chromium as the tests make them; this machine's kernel release and
 * version strings (in the system info stream and in memory, ASCII and UTF-16) are overwritten with
 * `x` of the same length, and the host name is checked to be absent.
 */
describe.runIf(hasChromium && process.env.MAKE_MINIDUMP_FIXTURES === '1')('minidump fixtures', () => {
  it('writes renderer.dmp and gpu.dmp', async () => {
    const crashes = await crashChromium();
    try {
      for (const [from, to] of [[crashes.renderer!.file, FIXTURES.renderer], [crashes.gpu!.file, FIXTURES.gpu]] as const) {
        const bytes = await fsp.readFile(from);
        for (const detail of [os.release(), os.release().replace(/^[\d.]+/, ''), os.version()].filter((d) => d.length >= 4)) {
          for (const encoding of ['latin1', 'utf16le'] as const) {
            const needle = Buffer.from(detail, encoding);
            const mask = Buffer.from('x'.repeat(detail.length), encoding);
            for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) mask.copy(bytes, at);
          }
        }
        const hostname = os.hostname();
        if (hostname.length >= 4) expect(bytes.includes(Buffer.from(hostname))).toBe(false);
        await fsp.writeFile(to, bytes);
      }
    } finally {
      await crashes.cleanup();
    }
  }, 120_000);
});
