import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiagError } from '../../src/errors.js';
import { readMinidump, summariseMinidump, tryReadMinidump } from '../../src/minidump/index.js';
import { hasChromium, useChromiumCrashes } from '../helpers/chromium-crash.js';
import { FIXTURES, hasStackwalk, stackwalkModules } from './helpers.js';

/** Breakpad lists modules by address; compare as sets. */
function sorted<T extends { file: string; debugId: string | null }>(modules: T[]): string[] {
  return modules.map((m) => `${m.file} ${m.debugId}`).sort();
}

function expectTyped(bytes: Uint8Array): void {
  const result = tryReadMinidump(bytes);
  if (!result.ok) {
    expect(result.error).toBeInstanceOf(DiagError);
    expect(result.error.code).toBe('MINIDUMP_INVALID');
    expect(result.error.message).toMatch(/^not a readable minidump: /);
  }
}

describe('minidump reader on committed Chromium dumps', () => {
  it('reads the renderer dump: ptype, pid, product annotations, exception, modules with ids', () => {
    const bytes = readFileSync(FIXTURES.renderer);
    const dump = readMinidump(bytes);
    const summary = summariseMinidump(bytes);
    expect(summary.processType).toBe('renderer');
    expect(summary.annotations.pid).toMatch(/^\d+$/);
    expect(summary.annotations.prod).toBe('Chrome_Linux');
    expect(summary.annotations.ver).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(summary.crashReason).toBe('SIGTRAP');
    expect(summary.crashingModule).toMatch(/chromium$/);
    expect(summary.threads).toBe(dump.threads.length);
    expect(dump.systemInfo?.cpu).toBe('amd64');
    expect(dump.systemInfo?.os).toBe('Linux');
    expect(dump.memory.length).toBeGreaterThan(0);
    expect(dump.modules[0]?.codeId).toMatch(/^[0-9a-f]{40}$/);
    expect(dump.crashpad?.reportId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('reads the GPU dump', () => {
    const summary = summariseMinidump(readFileSync(FIXTURES.gpu));
    expect(summary.processType).toBe('gpu-process');
    expect(summary.crashReason).toBe('SIGSEGV / SEGV_MAPERR');
    expect(summary.modules).toBeGreaterThan(20);
  });

  it.skipIf(!hasStackwalk)('agrees with Breakpad minidump_stackwalk on every module, debug id and the crash reason', () => {
    for (const file of [FIXTURES.renderer, FIXTURES.gpu]) {
      const bytes = readFileSync(file);
      const dump = readMinidump(bytes);
      const summary = summariseMinidump(bytes);
      const theirs = stackwalkModules(file);
      expect(sorted(dump.modules.map((m) => ({ file: path.basename(m.name), debugId: m.debugId })))).toEqual(sorted(theirs.modules));
      // Breakpad spaces `SIGSEGV /SEGV_MAPERR` and `SIGBUS / BUS_ADRERR` differently.
      expect(summary.crashReason?.replace(/ /g, '')).toBe(theirs.crash.reason.replace(/ /g, ''));
      expect(summary.crashAddress).toBe(`0x${BigInt(theirs.crash.address).toString(16)}`);
    }
  });
});

describe('malformed minidumps are typed errors', () => {
  const real = existsSync(FIXTURES.renderer) ? readFileSync(FIXTURES.renderer) : Buffer.alloc(0);

  it('names what is wrong: empty, not a dump, bad version', () => {
    expect(() => readMinidump(new Uint8Array(0))).toThrow(/shorter than a minidump header/);
    expect(() => readMinidump(Buffer.from('PK\u0003\u0004 this is a zip, not a dump....'))).toThrow(/bad signature/);
    const badVersion = Buffer.from(real.subarray(0, 64));
    badVersion.writeUInt16LE(0x1234, 4);
    expect(() => readMinidump(badVersion)).toThrow(/unknown format version/);
  });

  it('every truncation of a real dump reads or fails with MINIDUMP_INVALID, never another error', () => {
    for (let cut = 0; cut < real.length; cut += cut < 4096 ? 7 : 997) expectTyped(real.subarray(0, cut));
  });

  it('random corruption of a real dump reads or fails with MINIDUMP_INVALID', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(Math.max(real.length - 1, 0)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }), (edits) => {
        const copy = Buffer.from(real);
        for (const [at, value] of edits) copy[at] = value;
        expectTyped(copy);
      }),
      { numRuns: 300 },
    );
  });

  it('corrupting the structure bytes (header, directory, list counts) only yields typed errors', () => {
    const dump = readMinidump(real);
    const structural = [8, 12, ...dump.streams.flatMap((s, i) => [dump.header.directoryRva + i * 12 + 4, dump.header.directoryRva + i * 12 + 8, s.rva])];
    for (const at of structural) {
      for (const value of [0, 0xff, 0x7f, 0x80]) {
        const copy = Buffer.from(real);
        copy.fill(value, at, at + 4);
        expectTyped(copy);
      }
    }
  });
});

describe.skipIf(!hasChromium)('minidump reader on dumps Chromium writes now', () => {
  const crashes = useChromiumCrashes();

  it('reads a fresh renderer and a fresh GPU dump', () => {
    const renderer = summariseMinidump(readFileSync(crashes().renderer!.file));
    expect(renderer.processType).toBe('renderer');
    expect(renderer.annotations.pid).toMatch(/^\d+$/);
    const gpu = summariseMinidump(readFileSync(crashes().gpu!.file));
    expect(gpu.processType).toBe('gpu-process');
    if (hasStackwalk) {
      for (const file of [crashes().renderer!.file, crashes().gpu!.file]) {
        const theirs = stackwalkModules(file);
        expect(sorted(readMinidump(readFileSync(file)).modules.map((m) => ({ file: path.basename(m.name), debugId: m.debugId })))).toEqual(sorted(theirs.modules));
      }
    }
  });
});

