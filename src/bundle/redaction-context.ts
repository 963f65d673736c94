import path from 'node:path';
import type { RedactionContext } from './redaction-rules.js';

/**
 * The home directory and login name to redact, from the environment a command runs in.
 * os.userInfo() throws in containers without a passwd entry, so the name comes from the
 * usual variables, then from the home directory's last segment.
 */
export function redactionContextFrom(io: { homedir: string; env: NodeJS.ProcessEnv }): RedactionContext {
  const fromEnv = io.env.USER || io.env.USERNAME || io.env.LOGNAME;
  const username = fromEnv && fromEnv.trim() !== '' ? fromEnv.trim() : path.basename(io.homedir.replace(/[\\/]+$/, ''));
  return { homedir: io.homedir, username };
}
