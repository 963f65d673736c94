import { promises as fsp, mkdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLogFiles } from '../../src/logs/discover.js';
import { cutMarker } from '../../src/logs/line-cut.js';
import { parseLogLine } from '../../src/logs/parse-line.js';
import { nodeTailFileSystem, readLastLines, type TailFileSystem } from '../../src/logs/read-last-lines.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

/** Writes files with strictly increasing mtimes so their order is known. */
function writeFiles(files: Array<[string, string | Buffer]>): void {
  const base = Date.now() / 1000 - 1000;
  files.forEach(([name, content], i) => {
    const full = path.join(tmp.dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
    utimesSync(full, base + i, base + i);
  });
}

const texts = async (count: number, extra: { blockBytes?: number; maxLineBytes?: number } = {}) =>
  (await readLastLines({ logDir: tmp.dir, count, ...extra })).lines.map((l) => l.text);

describe('readLastLines', () => {
  it('counts a last line without newline, keeps empty lines, strips CR, and keeps files apart', async () => {
    writeFiles([
      ['old.log', 'a\r\n\nb'], // no trailing newline: "b" is a line and does not join the next file's first line
      ['app.1.log', 'c\nd\n'],
      ['app.2.log', '\n'], // one empty line
    ]);
    expect(await texts(100)).toEqual(['a', '', 'b', 'c', 'd', '']);
    expect(await texts(3)).toEqual(['c', 'd', '']);
  });

  it('returns nothing for count 0 and skips empty files', async () => {
    writeFiles([
      ['a.log', 'one\n'],
      ['b.log', ''],
      ['c.log', ''],
    ]);
    expect(await texts(0)).toEqual([]);
    const result = await readLastLines({ logDir: tmp.dir, count: 5 });
    expect(result.lines.map((l) => [l.source, l.text])).toEqual([['a.log', 'one']]);
  });

  it('never splits a multibyte character at a block boundary (any block size, any lines)', async () => {
    const char = fc.constantFrom('a', 'é', '日', '😀', ' ', '\r');
    const line = fc.array(char, { maxLength: 30 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 23 }), fc.boolean(), async (lines, blockBytes, trailingNewline) => {
        const body = lines.join('\n') + (trailingNewline ? '\n' : '');
        writeFileSync(path.join(tmp.dir, 'p.log'), body);
        // An empty file has no lines; otherwise the text before a final newline splits into lines.
        const expected = body === '' ? [] : (body.endsWith('\n') ? body.slice(0, -1) : body).split('\n').map((l) => l.replace(/\r$/, ''));
        const count = Math.max(1, Math.ceil(expected.length / 2));
        expect(await texts(count, { blockBytes })).toEqual(expected.slice(-count));
      }),
      { numRuns: 150 },
    );
  });

  it('matches a line-by-line model for any bytes, block size and line limit (cuts included)', async () => {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    // Pieces that make boundaries interesting: multibyte characters, stray continuation and lead bytes, CR.
    const piece = fc.constantFrom(...['a', 'é', '日', '😀', '\r', '\n', '\n', '\n'].map((c) => Buffer.from(c)), Buffer.from([0x80]), Buffer.from([0xe6, 0x97]), Buffer.from([0xff]));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 29 }), fc.integer({ min: 1, max: 12 }), async (pieces, blockBytes, maxLineBytes) => {
        const body = Buffer.concat(pieces);
        writeFileSync(path.join(tmp.dir, 'm.log'), body);
        const content = body.length > 0 && body[body.length - 1] === 0x0a ? body.subarray(0, -1) : body;
        const model: string[] = [];
        if (body.length > 0) {
          let start = 0;
          for (;;) {
            const nl = content.indexOf(0x0a, start);
            let line = content.subarray(start, nl === -1 ? content.length : nl);
            if (line.length > maxLineBytes) {
              let kept = maxLineBytes;
              while (kept > 0 && kept > maxLineBytes - 3 && (line[kept]! & 0xc0) === 0x80) kept--;
              if ((line[kept]! & 0xc0) === 0x80) kept = maxLineBytes;
              model.push(decoder.decode(line.subarray(0, kept)) + cutMarker(line.length - kept));
            } else {
              if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
              model.push(decoder.decode(line));
            }
            if (nl === -1) break;
            start = nl + 1;
          }
        }
        const count = Math.max(1, model.length - 2);
        expect(await texts(count, { blockBytes, maxLineBytes })).toEqual(model.slice(-count));
      }),
      { numRuns: 300 },
    );
  });

  it('turns invalid UTF-8 into U+FFFD without touching the neighbouring lines', async () => {
    const bytes = Buffer.concat([
      Buffer.from('good one\n'),
      Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x20, 0xe6, 0x97]), // "bad ", 2 invalid bytes, " ", a truncated 日
      Buffer.from('\nafter 日本\n'),
    ]);
    writeFiles([['bad.log', bytes]]);
    expect(await texts(3, { blockBytes: 5 })).toEqual(['good one', 'bad \uFFFD\uFFFD \uFFFD', 'after 日本']);
  });

  it('cuts a 10 MB line with a visible marker, keeping its head, reading in bounded blocks', async () => {
    const huge = `{"msg":"start"${'é'.repeat(5 * 1024 * 1024)}}`; // ~10 MB, 2-byte characters
    writeFiles([['big.log', `before\n${huge}\nafter\n`]]);
    const reads: number[] = [];
    const fileSystem: TailFileSystem = {
      open: async (p) => {
        const handle = await nodeTailFileSystem.open(p);
        return {
          stat: () => handle.stat(),
          close: () => handle.close(),
          read: (buffer, offset, length, position) => {
            reads.push(length);
            return handle.read(buffer, offset, length, position);
          },
        };
      },
    };
    // 14 ASCII bytes then 2-byte characters: an odd limit falls inside a character and must back off one byte.
    const maxLineBytes = 64 * 1024 + 1;
    const result = await readLastLines({ logDir: tmp.dir, count: 3, fileSystem, maxLineBytes });
    expect(result.lines.map((l) => l.text.slice(0, 14))).toEqual(['before', '{"msg":"start"', 'after']);
    const hugeBytes = Buffer.byteLength(huge);
    const keptBytes = 64 * 1024;
    const head = Buffer.from(huge).subarray(0, keptBytes).toString('utf8');
    expect(result.lines[1]!.text).toBe(head + cutMarker(hugeBytes - keptBytes));
    expect(result.lines[1]!.text).toMatch(/…\[cut \d+ bytes\]$/);
    expect(result.cutLines).toBe(1);
    // Memory stays bounded: no read bigger than a block (or the head re-read), never the whole line.
    expect(Math.max(...reads)).toBeLessThanOrEqual(maxLineBytes + 4);
  });

  it('skips a file that vanishes between discovery and reading', async () => {
    writeFiles([
      ['app.1.log', 'one\ntwo\n'],
      ['app.2.log', 'three\nfour\n'],
      ['app.3.log', 'five\n'],
    ]);
    const files = await discoverLogFiles(tmp.dir);
    unlinkSync(path.join(tmp.dir, 'app.2.log'));
    const result = await readLastLines({ logDir: tmp.dir, count: 3, files });
    expect(result.lines.map((l) => l.text)).toEqual(['one', 'two', 'five']);
  });

  it('skips a file that vanishes mid-read (injected at the fs edge) and keeps what the others give', async () => {
    writeFiles([
      ['app.1.log', 'one\ntwo\n'],
      ['app.2.log', `${'x'.repeat(100)}\n${'y'.repeat(100)}\n`],
      ['app.3.log', 'five\n'],
    ]);
    const fileSystem: TailFileSystem = {
      open: async (p) => {
        const handle = await fsp.open(p, 'r');
        if (!p.endsWith('app.2.log')) return handle;
        let reads = 0;
        return {
          stat: () => handle.stat(),
          close: () => handle.close(),
          read: async (buffer, offset, length, position) => {
            if (++reads === 2) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
            return handle.read(buffer, offset, length, position);
          },
        };
      },
    };
    const result = await readLastLines({ logDir: tmp.dir, count: 4, fileSystem, blockBytes: 64 });
    expect(result.lines.map((l) => l.text)).toEqual(['one', 'two', 'five']);
  });

  it('fails with exit 2 naming a missing dir, exit 3 when there are no logs', async () => {
    await expect(readLastLines({ logDir: path.join(tmp.dir, 'nope'), count: 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      exitCode: 2,
      message: expect.stringContaining(path.join(tmp.dir, 'nope')),
    });
    writeFileSync(path.join(tmp.dir, 'notes.txt'), 'not a log\n');
    await expect(readLastLines({ logDir: tmp.dir, count: 1 })).rejects.toMatchObject({ code: 'NO_LOGS', exitCode: 3 });
  });

  it('reads Codex desktop text logs across days and segments in order, and parses them', async () => {
    const seg = (day: string, t: string, n: number) => `2026/11/${day}/codex-desktop-abc-d1-900-t1-i0-${t}-${n}.log`;
    const line = (day: string, i: number, level: string) => `2026-11-${day}T23:59:${String(i).padStart(2, '0')}.000Z ${level} event ${day}-${i}`;
    // mtimes reversed on purpose: the day dirs, the start time and the segment number decide.
    writeFiles([
      [seg('21', '000001', 1), `${line('21', 1, 'info')}\n${line('21', 2, 'error')}\n`],
      [seg('20', '120000', 10), `${line('20', 3, 'warning')}\n`],
      [seg('20', '120000', 9), `${line('20', 2, 'debug')}\n`],
      [seg('20', '120000', 1), `${line('20', 1, 'trace')}\n`],
    ]);
    const { lines } = await readLastLines({ logDir: tmp.dir, count: 4 });
    expect(lines.map((l) => l.text.split(' ').at(-1))).toEqual(['20-2', '20-3', '21-1', '21-2']);
    expect(lines.map((l) => parseLogLine(l).level)).toEqual(['debug', 'warn', 'info', 'error']);
    expect(parseLogLine(lines[3]!)).toEqual({
      time: '2026-11-21T23:59:02.000Z',
      level: 'error',
      msg: 'event 21-2',
      source: seg('21', '000001', 1),
      line: line('21', 2, 'error'),
    });
  });

  it('reads a file of nothing but newlines as that many empty lines, at any block size', async () => {
    writeFiles([['nl.log', '\n\n\n']]);
    for (const blockBytes of [1, 2, 3, 64]) {
      expect(await texts(10, { blockBytes })).toEqual(['', '', '']);
      expect(await texts(2, { blockBytes })).toEqual(['', '']);
    }
  });

  it('orders desktop text logs across month and year boundaries by their day dirs', async () => {
    const seg = (ymd: string, n = 1) => `${ymd}/codex-desktop-s-1-t0-i0-000000-${n}.log`;
    // mtimes newest-first on purpose: only the YYYY/MM/DD dirs can give this order.
    writeFiles([
      [seg('2027/01/01'), 'e\n'],
      [seg('2026/02/01'), 'd\n'],
      [seg('2026/01/31', 2), 'c\n'],
      [seg('2026/01/31', 1), 'b\n'],
      [seg('2025/12/31'), 'a\n'],
    ]);
    expect(await texts(10)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reads a file that grows during the read up to the size discovery saw, so the last lines stay consistent', async () => {
    writeFiles([['app.1.log', 'one\ntwo\n']]);
    const fileSystem: TailFileSystem = {
      open: async (p) => {
        const handle = await nodeTailFileSystem.open(p);
        await fsp.appendFile(p, 'three (written after discovery)\n');
        return handle;
      },
    };
    const result = await readLastLines({ logDir: tmp.dir, count: 5, fileSystem });
    expect(result.lines.map((l) => l.text)).toEqual(['one', 'two']);
  });

  it('counts only accepted lines when filtering', async () => {
    writeFiles([['a.log', 'keep 1\ndrop\nkeep 2\ndrop\ndrop\n']]);
    const result = await readLastLines({ logDir: tmp.dir, count: 2, accept: (l) => l.text.startsWith('keep') });
    expect(result.lines.map((l) => l.text)).toEqual(['keep 1', 'keep 2']);
  });
});
