import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/builder.js';
import { inspectBundle } from '../../src/bundle/inspect.js';
import { EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { rawZip, TEST_SYSTEM, type RawEntry } from './helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
let good: string;
let goodEntries: RawEntry[];

beforeAll(async () => {
  tmp = makeTempDir();
  const built = await buildBundle(
    {
      incident: { kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null },
      fingerprint: { fingerprint: 'fp1-aa', components: ['fp1', 'sidecar-exit'] },
      lines: Array.from({ length: 5 }, (_, i) => ({ source: 'a.log', text: `2026-11-21T01:00:0${i}Z info hello ${i}` })),
      state: { version: 3 },
      app: { name: 'Codex', version: '1.0.0' },
      system: TEST_SYSTEM,
    },
    { outDir: tmp.dir, redactor: createRedactor(EXAMPLE_CONTEXT), clock: new ManualClock(Date.UTC(2026, 0, 1)) },
  );
  good = built.path;
  const { files } = await readZip(good);
  goodEntries = [...files].map(([name, data]) => ({ name, data, deflate: true }));
});
afterAll(() => tmp.cleanup());

function writeZip(name: string, entries: RawEntry[]): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, rawZip(entries));
  return file;
}

function replace(name: string, data: Buffer): RawEntry[] {
  return goodEntries.map((e) => (e.name === name ? { ...e, data } : e));
}

describe('inspectBundle', () => {
  it('accepts a bundle re-zipped without changes (the hand-made zip writer is sound)', async () => {
    const result = await inspectBundle(writeZip('same.zip', goodEntries));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('rejects a zip whose central directory lies: a hidden local entry, a renamed local header, overlapping entries', async () => {
    const hidden = await inspectBundle(writeZip('hidden.zip', [{ name: 'evil.sh', data: Buffer.from('rm -rf ~\n'), unlisted: true }, ...goodEntries]));
    expect(hidden.ok).toBe(false);
    expect(hidden.problems).toEqual([expect.stringMatching(/^bytes 0\.\.\d+: not part of any entry the central directory lists \(hidden data\)$/)]);
    const trailing = await inspectBundle(writeZip('trailing.zip', [...goodEntries, { name: 'evil.sh', data: Buffer.from('rm -rf ~\n'), unlisted: true }]));
    expect(trailing.problems).toEqual([expect.stringMatching(/hidden data/)]);
    const renamed = await inspectBundle(writeZip('renamed.zip', goodEntries.map((e) => (e.name === 'logs/tail.log' ? { ...e, localName: 'logs/tail.lo_' } : e))));
    expect(renamed.problems).toEqual(['entry "logs/tail.log": its local header names it "logs/tail.lo_" (the central directory lies)']);

    // Two central directory records pointing at one local entry: the second overlaps the first.
    const bytes = rawZip(goodEntries);
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const cdStart = bytes.readUInt32LE(eocd + 16);
    const firstRecord = bytes.subarray(cdStart, cdStart + 46 + bytes.readUInt16LE(cdStart + 28));
    const copy = Buffer.from(firstRecord);
    const copyName = Buffer.from('manifest.jsoN');
    copyName.copy(copy, 46);
    const overlapped = Buffer.concat([bytes.subarray(0, eocd), copy, bytes.subarray(eocd)]);
    overlapped.writeUInt16LE(goodEntries.length + 1, overlapped.length - 22 + 8);
    overlapped.writeUInt16LE(goodEntries.length + 1, overlapped.length - 22 + 10);
    overlapped.writeUInt32LE(bytes.readUInt32LE(eocd + 12) + copy.length, overlapped.length - 22 + 12);
    const file = path.join(tmp.dir, 'overlap.zip');
    writeFileSync(file, overlapped);
    const overlap = await inspectBundle(file);
    expect(overlap.ok).toBe(false);
    expect(overlap.problems).toEqual(expect.arrayContaining([expect.stringMatching(/overlaps entry/)]));
  });

  it('reads no further than 64 entries of a zip that holds thousands', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ name: `x/${i}.txt`, data: Buffer.alloc(0) }));
    const result = await inspectBundle(writeZip('many.zip', many));
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toBe('holds 3000 entries, not a bundle of format v1 (only the first 64 were checked)');
    expect(result.problems.length).toBeLessThan(70);
  });

  it('rejects an edited entry', async () => {
    const tail = goodEntries.find((e) => e.name === 'logs/tail.log')!.data.toString();
    const result = await inspectBundle(writeZip('edited.zip', replace('logs/tail.log', Buffer.from(tail.replace('hello 3', 'HELLO 3!')))));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/^logs\/tail\.log: \d+ bytes, the manifest says \d+$/),
      expect.stringMatching(/^logs\/tail\.log: sha256 [0-9a-f]{64} does not match/),
    ]);
  });

  it('rejects a manifest with a wrong sha256 and a broken schema, listing every problem', async () => {
    const manifest = JSON.parse(goodEntries.find((e) => e.name === 'manifest.json')!.data.toString());
    manifest.files.find((f: { path: string }) => f.path === 'state.json').sha256 = '0'.repeat(64);
    let result = await inspectBundle(writeZip('wrong-sha.zip', replace('manifest.json', Buffer.from(JSON.stringify(manifest)))));
    expect(result.problems).toEqual([expect.stringMatching(/^state\.json: sha256 .* does not match the manifest's 0{64}$/)]);

    manifest.formatVersion = 2;
    manifest.bundleId = 'not-a-uuid';
    result = await inspectBundle(writeZip('bad-schema.zip', replace('manifest.json', Buffer.from(JSON.stringify(manifest)))));
    expect(result.manifest).toBeNull();
    expect(result.problems.some((p) => p.startsWith('manifest.json: formatVersion'))).toBe(true);
    expect(result.problems.some((p) => p.startsWith('manifest.json: bundleId'))).toBe(true);
  });

  it('rejects unsafe names, symlinks, duplicates and entries the manifest does not list', async () => {
    const evil = [
      ...goodEntries,
      { name: '../escape.txt', data: Buffer.from('x') },
      { name: '/etc/cron.d/evil', data: Buffer.from('x') },
      { name: 'C:\\Windows\\evil.dll', data: Buffer.from('x') },
      { name: 'logs/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
      { name: 'state.json', data: Buffer.from('{"version":3}') },
    ];
    const result = await inspectBundle(writeZip('evil.zip', evil));
    const problems = result.problems.join('\n');
    expect(result.ok).toBe(false);
    expect(problems).toContain('entry "../escape.txt": unsafe name (".." path segment)');
    expect(problems).toContain('entry "/etc/cron.d/evil": unsafe name (absolute path)');
    expect(problems).toContain('entry "C:\\\\Windows\\\\evil.dll": unsafe name (drive letter)');
    expect(problems).toContain('entry "C:\\\\Windows\\\\evil.dll": unsafe name (backslash in name)');
    expect(problems).toContain('entry "logs/link": is a symbolic link');
    expect(problems).toContain('entry "state.json": appears 2 times');
    expect(problems).toContain('../escape.txt: in the zip but not listed in the manifest');
    expect(problems).toContain('logs/link: in the zip but not listed in the manifest');
  });

  it('does not inflate a zip bomb and reports it', async () => {
    const zeros = Buffer.alloc(30 * 1024 * 1024);
    const declared = await inspectBundle(writeZip('bomb.zip', replace('logs/tail.log', zeros)));
    expect(declared.problems).toContain(`entry "logs/tail.log": declares ${zeros.length} bytes uncompressed, over the 21048576-byte bound (not inflated)`);
    expect(declared.problems.some((p) => p.startsWith('entry "logs/tail.log": compression ratio'))).toBe(true);
    expect(declared.files.has('logs/tail.log')).toBe(false);

    // Declares 1000 bytes but inflates to 30 MB: the reader stops at the declared size.
    const lying = goodEntries.map((e) => (e.name === 'logs/tail.log' ? { ...e, data: zeros, declaredSize: 1000 } : e));
    const result = await inspectBundle(writeZip('lying-bomb.zip', lying));
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.startsWith('entry "logs/tail.log": corrupt data'))).toBe(true);
    expect(result.files.has('logs/tail.log')).toBe(false);
  });

  it('reports a missing manifest and missing required entries', async () => {
    const result = await inspectBundle(writeZip('bare.zip', [{ name: 'state.json', data: Buffer.from('{}') }]));
    expect(result.problems).toEqual(['manifest.json: missing']);
    const noTail = goodEntries.filter((e) => e.name !== 'logs/tail.jsonl');
    const result2 = await inspectBundle(writeZip('no-jsonl.zip', noTail));
    expect(result2.problems).toEqual([
      'logs/tail.jsonl: listed in the manifest but missing from the zip',
      'logs/tail.jsonl: required by bundle format v1 but missing',
    ]);
  });

  it('reports a file that is not a zip, and a missing file as NOT_FOUND', async () => {
    const notZip = path.join(tmp.dir, 'not.zip');
    writeFileSync(notZip, 'hello');
    const result = await inspectBundle(notZip);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/^not a readable zip archive/);
    await expect(inspectBundle(path.join(tmp.dir, 'nope.zip'))).rejects.toMatchObject({ code: 'NOT_FOUND', exitCode: 2 });
  });

  it('checks the schema file is generated from the zod schema', async () => {
    const { renderSchema } = await import('../../src/tools/write-schemas.js');
    const { schemaRegistry } = await import('../../src/schema-registry.js');
    const { readFileSync } = await import('node:fs');
    const entry = schemaRegistry.find((e) => e.file === 'bundle-manifest.v1.json')!;
    expect(readFileSync(new URL('../../schemas/bundle-manifest.v1.json', import.meta.url), 'utf8')).toBe(renderSchema(entry));
  });
});
