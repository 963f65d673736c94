import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The install's id: a random UUID kept in `<data dir>/install-id`, made on first use. It holds no
 * personal data (no host name, user, or hardware id); it only makes per-install sampling stable
 * across runs. A damaged file is replaced by a new id (the old text kept beside it).
 */
export async function readOrCreateInstallId(file: string, newId: () => string = randomUUID): Promise<string> {
  let text: string | undefined;
  try {
    text = (await fsp.readFile(file, 'utf8')).trim();
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  if (text !== undefined && UUID.test(text)) return text;
  if (text !== undefined) await fsp.rename(file, `${file}.corrupt-${Date.now()}`).catch(() => undefined);
  const id = newId();
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await new AtomicWriter().write(file, `${id}\n`);
  return id;
}
