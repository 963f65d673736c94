import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` if needed and checks it can be written, so a read-only or unreachable place fails
 * up front with the real reason: Node's recursive mkdir reports a read-only file system as ENOENT.
 * Throws the system error (code, syscall and path set) of the first thing that is wrong.
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (error) {
    await fsp.access(await nearestExisting(dir), constants.W_OK);
    throw error;
  }
  await fsp.access(dir, constants.W_OK);
}

async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await fsp.stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
