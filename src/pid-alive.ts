import { errnoCode } from './errors.js';

/**
 * Whether a process (or, with a negative number, a process group) exists: signal 0 checks without
 * sending anything. EPERM means it exists but belongs to another user. Used for stale lock files,
 * dead writers' temp files and process-tree kills.
 */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
