import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLiteralDfa, compileLiterals, type LiteralEntry } from '../../src/bundle/literal-automaton.js';
import { createLiteralScanKernel, MAX_TEXT } from '../../src/bundle/literal-scan-kernel.js';
import { DIGIT, GENERIC_MIN_LENGTH, isRunChar, LOWER, tokenRuns, UPPER } from '../../src/bundle/token-shape.js';
import { createRedactor } from '../../src/bundle/redactor.js';

/**
 * The WebAssembly scan finds what the JavaScript automaton and the token-run scan find, hit for hit,
 * and refuses (so its caller scans as before) what it cannot take.
 */

const ENTRIES: LiteralEntry[] = [
  { literal: 'pass', caseless: true },
  { literal: 'password', caseless: true },
  { literal: 'key', caseless: true },
  { literal: 'glpat-' },
  { literal: 'AKIA' },
  { literal: 'Q~' },
  { literal: 'sk-' },
  { literal: '\\u' },
  { literal: 'a' },
];

function kernelFor(entries: readonly LiteralEntry[]) {
  const kernel = createLiteralScanKernel(buildLiteralDfa(entries), isRunChar, GENERIC_MIN_LENGTH);
  if (kernel === null) throw new Error('WebAssembly is available in Node');
  return kernel;
}

function viaKernel(kernel: ReturnType<typeof kernelFor>, text: string) {
  const literals: string[] = [];
  const runs: string[] = [];
  const taken = kernel.scan(
    text,
    (index, start) => literals.push(`${index}@${start}`),
    (start, end, classes) => runs.push(`${start}-${end}:${classes}`),
  );
  return { taken, literals: literals.sort(), runs };
}

function viaJavaScript(entries: readonly LiteralEntry[], text: string) {
  const literals: string[] = [];
  compileLiterals(entries).scan(text, (index, start) => (literals.push(`${index}@${start}`), false));
  return { taken: true, literals: literals.sort(), runs: tokenRuns(text).map((r) => `${r.start}-${r.end}:${classesOf(text.slice(r.start, r.end))}`) };
}

/** UPPER | LOWER | DIGIT of a run, as the kernel reports it. */
function classesOf(run: string): number {
  return (/[A-Z]/.test(run) ? UPPER : 0) | (/[a-z]/.test(run) ? LOWER : 0) | (/[0-9]/.test(run) ? DIGIT : 0);
}

describe('literal scan kernel', () => {
  it('is what literal-scan-kernel.wat compiles to', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-scan-kernel.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('finds every literal and every token run the JavaScript scans find, on random Latin-1 text', () => {
    const kernel = kernelFor(ENTRIES);
    const alphabet = fc.constantFrom(...'aAkKeEyYpPsS-_~Q/\\u+=.: "0123456789glatKIé\u00ff\n'.split(''));
    const pieces = fc.constantFrom('password', 'PASSWORD', 'glpat-', 'GLPAT-', 'AKIA', 'akia', 'Q~', 'AbCdEfGhIjKlMnOpQrSt0123', '\\u0040', ' ');
    fc.assert(
      fc.property(fc.array(fc.oneof(alphabet, pieces), { maxLength: 120 }), (parts) => {
        const text = parts.join('');
        expect(viaKernel(kernel, text)).toEqual(viaJavaScript(ENTRIES, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a literal at every position of every line length up to 90 (one lane, then two meeting in the middle)', () => {
    const kernel = kernelFor(ENTRIES);
    for (let length = 1; length <= 90; length++) {
      for (let at = 0; at + 'password'.length <= length; at++) {
        const text = `${'.'.repeat(at)}password${'.'.repeat(length - at - 'password'.length)}`;
        expect(viaKernel(kernel, text)).toEqual(viaJavaScript(ENTRIES, text));
      }
    }
  });

  it('finds literals that end on either side of where its two lanes meet, with a long literal among them', () => {
    const entries: LiteralEntry[] = [...ENTRIES, { literal: 'Documents and Settings' }];
    const kernel = kernelFor(entries);
    for (let length = 40; length <= 120; length += 7) {
      for (let at = 0; at + 22 <= length; at++) {
        for (const literal of ['Documents and Settings', 'PassWord', 'Q~']) {
          const text = `${'-'.repeat(at)}${literal}${'.'.repeat(Math.max(0, length - at - literal.length))}`;
          expect(viaKernel(kernel, text)).toEqual(viaJavaScript(entries, text));
        }
      }
    }
  });

  it('takes a text longer than its first buffer', () => {
    const kernel = kernelFor(ENTRIES);
    const text = `${'x'.repeat(300_000)} password ${'Z'.repeat(40)}`;
    expect(viaKernel(kernel, text)).toEqual(viaJavaScript(ENTRIES, text));
    expect(viaKernel(kernel, 'short key')).toEqual(viaJavaScript(ENTRIES, 'short key'));
  });

  it('refuses a character above U+00FF, a text over its limit, and more hits than it holds', () => {
    const kernel = kernelFor(ENTRIES);
    const refused = (text: string) => viaKernel(kernel, text);
    expect(refused('password \u212aey')).toEqual({ taken: false, literals: [], runs: [] });
    expect(refused('İ key')).toEqual({ taken: false, literals: [], runs: [] });
    expect(refused('x'.repeat(MAX_TEXT + 1))).toEqual({ taken: false, literals: [], runs: [] });
    expect(refused('a '.repeat(10_000))).toEqual({ taken: false, literals: [], runs: [] });
    // The next text after a refusal is scanned as usual.
    expect(viaKernel(kernel, 'a key')).toEqual(viaJavaScript(ENTRIES, 'a key'));
  });

  it('is not made where WebAssembly is missing (node --jitless), and the redactor redacts the same without it', () => {
    const line = JSON.stringify({ level: 50, msg: 'credential glpat-Xy9kQ2mN8pL4vR7tW3zA rejected', file: '/Users/dana/x' });
    const context = { homedir: '/Users/dana', username: 'dana' };
    const withKernel = createRedactor(context).session().line(line);
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')!;
    Reflect.deleteProperty(globalThis, 'WebAssembly');
    try {
      expect(createLiteralScanKernel(buildLiteralDfa(ENTRIES), isRunChar, GENERIC_MIN_LENGTH)).toBeNull();
      expect(createRedactor(context).session().line(line)).toBe(withKernel);
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', saved);
    }
    expect(withKernel).not.toContain('Xy9kQ2mN8pL4vR7tW3zA');
  });
});
