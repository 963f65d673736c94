import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticsOptionNames } from '../../src/diagnostics/options.js';

const root = path.resolve(__dirname, '../..');
const docs = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (doc: string) => readFileSync(path.join(root, doc), 'utf8');

describe('the project docs stand alone', () => {
  it.each(docs)('%s points at no document outside the repository', (doc) => {
    const text = read(doc);
    expect(text).not.toMatch(/DESIGN\.md|\.\.\/shared/);
    // Every relative link names a file that is there.
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      expect(existsSync(path.resolve(path.dirname(path.join(root, doc)), target!)), `${doc} links to ${target}`).toBe(true);
    }
  });

  it('README lists every option createDiagnostics takes', () => {
    const readme = read('README.md');
    const keys = [...diagnosticsOptionNames];
    expect(keys).toEqual(expect.arrayContaining(['logDir', 'dataDir', 'unresponsive']));
    const missing = keys.filter((key) => !readme.includes(`\`${key}\``) && !readme.includes(`\`${key}.`));
    expect(missing).toEqual([]);
  });
});
