import os from 'node:os';
import path from 'node:path';

/** Default locations (the contract users rely on; docs/CLI.md lists them). Env and platform are injectable. */
export interface PathEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

export function currentEnvironment(): PathEnvironment {
  return { platform: process.platform, env: process.env, homedir: os.homedir() };
}

export function defaultLogDir(e: PathEnvironment = currentEnvironment()): string {
  if (e.env.CODEX_DIAG_LOG_DIR) return e.env.CODEX_DIAG_LOG_DIR;
  if (e.platform === 'darwin') return path.join(e.homedir, 'Library', 'Logs', 'com.openai.codex');
  if (e.platform === 'win32') {
    const local = e.env.LOCALAPPDATA ?? path.join(e.homedir, 'AppData', 'Local');
    return path.win32.join(local, 'Codex', 'Logs');
  }
  const state = xdgHome(e.env.XDG_STATE_HOME) ?? path.join(e.homedir, '.local', 'state');
  return path.join(state, 'codex', 'logs');
}

export function defaultDataDir(e: PathEnvironment = currentEnvironment()): string {
  if (e.env.CODEX_DIAG_DATA_DIR) return e.env.CODEX_DIAG_DATA_DIR;
  if (e.platform === 'darwin') return path.join(e.homedir, 'Library', 'Application Support', 'codex-diag');
  if (e.platform === 'win32') {
    const roaming = e.env.APPDATA ?? path.join(e.homedir, 'AppData', 'Roaming');
    return path.win32.join(roaming, 'codex-diag');
  }
  const data = xdgHome(e.env.XDG_DATA_HOME) ?? path.join(e.homedir, '.local', 'share');
  return path.join(data, 'codex-diag');
}

/** The app's Crashpad dumps as the CLI finds them (embedded, the app passes `app.getPath('crashDumps')`). */
export function defaultCrashDir(e: PathEnvironment = currentEnvironment()): string {
  if (e.env.CODEX_DIAG_CRASH_DIR) return e.env.CODEX_DIAG_CRASH_DIR;
  if (e.platform === 'darwin') return path.join(e.homedir, 'Library', 'Application Support', 'Codex', 'Crashpad');
  if (e.platform === 'win32') {
    const roaming = e.env.APPDATA ?? path.join(e.homedir, 'AppData', 'Roaming');
    return path.win32.join(roaming, 'Codex', 'Crashpad');
  }
  const config = xdgHome(e.env.XDG_CONFIG_HOME) ?? path.join(e.homedir, '.config');
  return path.join(config, 'Codex', 'Crashpad');
}

/**
 * An XDG base directory from the environment, or undefined to use the default. The XDG Base
 * Directory spec: "All paths set in these environment variables must be absolute. If an
 * implementation encounters a relative path in any of these variables it should consider the path
 * invalid and ignore it." (Otherwise the data would move with the working directory.)
 */
function xdgHome(value: string | undefined): string | undefined {
  return value && path.posix.isAbsolute(value) ? value : undefined;
}

/** The data dir's fixed layout: one place names every file so modules agree. */
export function dataLayout(dataDir: string) {
  return {
    dataDir,
    stateFile: path.join(dataDir, 'state.json'),
    journalDir: path.join(dataDir, 'journal'),
    bundlesDir: path.join(dataDir, 'bundles'),
    outboxDir: path.join(dataDir, 'outbox'),
  };
}

/** Where a DSN came from, as a person would name it in a message. */
export type DsnSource = '--dsn' | 'CODEX_DIAG_DSN' | 'SENTRY_DSN';

/** DSN precedence: option, then CODEX_DIAG_DSN, then SENTRY_DSN; empty means local only. */
export function resolveDsnWithSource(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { dsn: string; source: DsnSource } | undefined {
  const candidates: Array<[string | undefined, DsnSource]> = [
    [option, '--dsn'],
    [env.CODEX_DIAG_DSN, 'CODEX_DIAG_DSN'],
    [env.SENTRY_DSN, 'SENTRY_DSN'],
  ];
  for (const [candidate, source] of candidates) {
    if (candidate && candidate.trim() !== '') return { dsn: candidate.trim(), source };
  }
  return undefined;
}

/** DSN precedence: option, then CODEX_DIAG_DSN, then SENTRY_DSN; empty means local only. */
export function resolveDsn(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return resolveDsnWithSource(option, env)?.dsn;
}
