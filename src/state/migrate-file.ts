import { promises as fsp } from 'node:fs';
import { DiagError, errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { decodeState, encodeState } from './decode.js';
import { backupPathFor, readStateBytes, resolveStateFile, writeStateFile } from './files.js';
import { CURRENT_STATE_VERSION } from './schemas.js';

export interface StateMigration {
  from: number;
  to: number;
  path: string;
  /** False when the file was already current (nothing written). */
  rewritten: boolean;
  /** Where the original was kept (beside a symlinked file's target); undefined when nothing was written. */
  backupPath?: string;
}

/**
 * Migrates the state file on disk: validated in memory, original kept as `<file>.bak` (or, when a
 * backup is there already, the first free `<file>.bak.N`: the oldest backup may be the only good
 * copy left, so it is never overwritten), then one atomic write. A current file is left as it is. Throws DiagError: NO_STATE, STATE_CORRUPT (the
 * file is left where it is), STATE_FROM_NEWER_VERSION (untouched), STATE_UNWRITABLE, IO.
 */
export async function migrateStateFile(file: string, writer: AtomicWriter = new AtomicWriter()): Promise<StateMigration> {
  const bytes = await readStateBytes(file);
  if (bytes === undefined) throw new DiagError('NO_STATE', `no state file at ${file}; nothing to migrate`);
  const { state, from } = decodeState(bytes, file);
  if (from === CURRENT_STATE_VERSION) return { from, to: from, path: file, rewritten: false };
  // Through a symlink: the target is rewritten (and backed up beside it), the link kept.
  const target = await resolveStateFile(file);
  const backupPath = await freeBackupPath(target);
  await writeStateFile(writer, target, encodeState(state), { backup: bytes, backupPath });
  return { from, to: CURRENT_STATE_VERSION, path: file, rewritten: true, backupPath };
}

/** `<file>.bak`, else `<file>.bak.1`, `.bak.2`, ...: the first name nothing uses. */
async function freeBackupPath(file: string): Promise<string> {
  const first = backupPathFor(file);
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? first : `${first}.${n}`;
    try {
      await fsp.lstat(candidate);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return candidate;
      throw new DiagError('STATE_UNWRITABLE', `cannot check for an earlier backup ${candidate}: ${errnoCode(error) ?? String(error)}; the file on disk is unchanged`, { cause: error });
    }
  }
}
