import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriter } from '../../src/fs/atomic-write.js';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'codex-diag-atomic-'));
}

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
