import { DiagError } from '../errors.js';
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
 * Migrates the state file on disk: validated in memory, original kept as `<file>.bak`, then one
 * atomic write. A current file is left as it is. Throws DiagError: NO_STATE, STATE_CORRUPT (the
 * file is left where it is), STATE_FROM_NEWER_VERSION (untouched), STATE_UNWRITABLE, IO.
 */
export async function migrateStateFile(file: string, writer: AtomicWriter = new AtomicWriter()): Promise<StateMigration> {
  const bytes = await readStateBytes(file);
  if (bytes === undefined) throw new DiagError('NO_STATE', `no state file at ${file}; nothing to migrate`);
  const { state, from } = decodeState(bytes, file);
  if (from === CURRENT_STATE_VERSION) return { from, to: from, path: file, rewritten: false };
  // Through a symlink: the target is rewritten (and backed up beside it), the link kept.
  const target = await resolveStateFile(file);
  await writeStateFile(writer, target, encodeState(state), { backup: bytes });
  return { from, to: CURRENT_STATE_VERSION, path: file, rewritten: true, backupPath: backupPathFor(target) };
}
