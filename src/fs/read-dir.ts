import { promises as fsp } from 'node:fs';
import { errnoCode } from '../errors.js';

/** The names in a directory; one not made yet holds nothing, other errors stand. */
export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}
