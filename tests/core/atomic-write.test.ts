import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { AtomicWriter, RENAME_RETRY_DELAYS_MS, renameWithRetry } from '../../src/fs/atomic-write.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const tempDir = () => makeTempDir('codex-diag-atomic-').dir;

describe('AtomicWriter', () => {
  it('writes the whole content with mode 0600 and leaves no temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    await new AtomicWriter().write(file, '{"a":1}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('applies writes to one path in call order', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.json');
    const writer = new AtomicWriter();
    const writes = Array.from({ length: 25 }, (_, i) => writer.write(file, String(i)));
    await Promise.all(writes);
    expect(readFileSync(file, 'utf8')).toBe('24');
  });

  it('keeps the old file and cleans up when the write fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.json');
    writeFileSync(file, 'old');
    const writer = new AtomicWriter();
    // Renaming a file over a non-empty directory fails: the target is a dir here.
    const target = path.join(dir, 'sub');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(target, 'inner'), { recursive: true });
    await expect(writer.write(target, 'new')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['sub', 'x.json']);
    // A failed write does not block the queue for later writes.
    await writer.write(file, 'next');
    expect(readFileSync(file, 'utf8')).toBe('next');
  });
});

const errno = (code: string) => Object.assign(new Error(`${code}: held`), { code });

describe('renameWithRetry', () => {
  it.each(['EPERM', 'EBUSY', 'EACCES'])('retries %s (a scanner holding the file) with growing waits, then renames', async (code) => {
    const dir = tempDir();
    const from = path.join(dir, 'a.tmp');
    const to = path.join(dir, 'a.json');
    writeFileSync(from, 'content');
    const waits: number[] = [];
    let attempts = 0;
    await renameWithRetry(from, to, {
      rename: async (a, b) => {
        if (++attempts <= 3) throw errno(code);
        await fsp.rename(a, b);
      },
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    expect(attempts).toBe(4);
    expect(waits).toEqual(RENAME_RETRY_DELAYS_MS.slice(0, 3));
    expect(readFileSync(to, 'utf8')).toBe('content');
  });

  it('gives up after the last wait with the rename error, and fails other errors at once', async () => {
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
    };
    await expect(renameWithRetry('a', 'b', { rename: () => Promise.reject(errno('EBUSY')), wait })).rejects.toMatchObject({ code: 'EBUSY' });
    expect(waits).toEqual(RENAME_RETRY_DELAYS_MS);
    waits.length = 0;
    await expect(renameWithRetry('a', 'b', { rename: () => Promise.reject(errno('EXDEV')), wait })).rejects.toMatchObject({ code: 'EXDEV' });
    expect(waits).toEqual([]);
  });

  it('an AtomicWriter write survives a briefly held target and leaves no temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, 'old');
    let held = 2;
    const writer = new AtomicWriter({
      rename: async (a, b) => {
        if (held-- > 0) throw errno('EPERM');
        await fsp.rename(a, b);
      },
      wait: async () => undefined,
    });
    await writer.write(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});
