import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'state');
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function fixtureBytes(name: string): Promise<Buffer> {
  return fsp.readFile(path.join(fixturesDir, name));
}

/** Copies a fixture into a fresh temp dir as `state.json`. */
export async function stateFileFrom(fixture: string): Promise<{ dir: string; file: string; original: Buffer }> {
  const dir = await tempDir();
  const file = path.join(dir, 'state.json');
  const original = await fixtureBytes(fixture);
  await fsp.writeFile(file, original);
  return { dir, file, original };
}

/** Names in a directory, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).sort();
}
