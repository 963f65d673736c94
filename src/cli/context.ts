import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DiagError, describeSystemError, errnoCode, ExitCode, isDiagError, oneLine, systemErrorLine } from '../errors.js';
import { currentEnvironment, dataLayout, defaultDataDir, defaultLogDir, type PathEnvironment } from '../paths.js';
import { addOptions, type OptionSpec } from './option-spec.js';
import { messageText, neutralizeControls } from './terminal-text.js';

/** The process edges a command touches; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
  homedir: string;
}

/** Options every command that reads the log or data dir takes (docs/CLI.md). */
export interface CommonOptions {
  logDir?: string;
  dataDir?: string;
  state?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface ResolvedCommon {
  logDir: string;
  dataDir: string;
  stateFile: string;
  json: boolean;
  quiet: boolean;
}

/** The options of CommonOptions, in the order help lists them. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { flags: '--log-dir <dir>', description: 'log directory (default: platform log dir, or $CODEX_DIAG_LOG_DIR)' },
  { flags: '--data-dir <dir>', description: 'data directory for state, journal, outbox, bundles (or $CODEX_DIAG_DATA_DIR)' },
  { flags: '--state <file>', description: 'state file (default: <data dir>/state.json)' },
  { flags: '--json', description: 'machine-readable output on stdout' },
  { flags: '-q, --quiet', description: 'no messages on stderr' },
];

export function addCommonOptions(command: Command): Command {
  return addOptions(command, COMMON_OPTIONS);
}

export class CliContext {
  /** Set by resolve(): -q silences notes and warnings alike (errors still print). */
  private quiet = false;

  constructor(readonly io: CliIo) {}

  private pathEnvironment(): PathEnvironment {
    return { platform: this.io.platform, env: this.io.env, homedir: this.io.homedir };
  }

  resolve(options: CommonOptions): ResolvedCommon {
    const e = this.pathEnvironment();
    const abs = (p: string) => path.resolve(this.io.cwd, p);
    const dataDir = abs(options.dataDir ?? defaultDataDir(e));
    this.quiet = options.quiet ?? false;
    return {
      logDir: abs(options.logDir ?? defaultLogDir(e)),
      dataDir,
      stateFile: abs(options.state ?? dataLayout(dataDir).stateFile),
      json: options.json ?? false,
      quiet: this.quiet,
    };
  }

  /**
   * Fails with BAD_INPUT (exit 2) when the data dir exists but is not a directory (or a part of its
   * path is a file): every command that uses it would otherwise fail later with a bare ENOTDIR.
   * A data dir that does not exist yet is fine.
   */
  async checkDataDir(common: ResolvedCommon): Promise<void> {
    try {
      const stat = await fsp.stat(common.dataDir);
      if (stat.isDirectory()) return;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') return;
      if (code !== 'ENOTDIR') throw new DiagError('IO', `cannot use the data dir ${common.dataDir}: ${describeSystemError(error)}`, { cause: error });
    }
    throw new DiagError('BAD_INPUT', `data dir ${common.dataDir} is not a directory (set --data-dir or CODEX_DIAG_DATA_DIR to a directory)`);
  }

  /** Resolves a path argument against the CLI's working directory. */
  path(p: string): string {
    return path.resolve(this.io.cwd, p);
  }

  /** One JSON document on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON line on stdout (for commands whose `--json` output is JSON lines). */
  jsonLine(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Text for people on stdout; control characters from incidents and logs shown, not obeyed. */
  out(text: string): void {
    const safe = neutralizeControls(text);
    this.io.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** A message for people, on stderr, unless --quiet. */
  info(common: { quiet: boolean }, text: string): void {
    if (!common.quiet && !this.quiet) this.io.stderr.write(`${messageText(text)}\n`);
  }

  /** A warning on stderr, unless --quiet. */
  warn(text: string): void {
    if (!this.quiet) this.io.stderr.write(`codex-diag: warning: ${messageText(text)}\n`);
  }

  /**
   * Whether a command may redraw a progress line with escape codes: only on a terminal that
   * understands them (not TERM=dumb), and never with --quiet.
   */
  canDrawProgress(): boolean {
    return Boolean(this.io.stderr.isTTY) && this.io.env.TERM !== 'dumb' && !this.quiet;
  }
}

/** What a command's action returns: its exit code (undefined means 0). */
export type ActionResult = number | void;

/**
 * Wraps a command action: errors become one line on stderr and the documented exit code.
 * The exit code is handed back through `setExit` rather than process.exit, so output flushes.
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  setExit: (code: number) => void,
  fn: (...args: A) => Promise<ActionResult> | ActionResult,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      setExit(code ?? ExitCode.ok);
    } catch (error) {
      setExit(reportError(ctx.io, error));
    }
  };
}

export function reportError(io: CliIo, error: unknown): number {
  if (isDiagError(error)) {
    io.stderr.write(`codex-diag: ${messageText(oneLine(error))}\n`);
    return error.exitCode;
  }
  // A disk that is full or read-only, a permission: one line naming the path, not a stack.
  const system = systemErrorLine(error);
  if (system !== undefined) {
    io.stderr.write(`codex-diag: ${messageText(system)}\n`);
    return ExitCode.failure;
  }
  io.stderr.write(`codex-diag: internal error: ${messageText(oneLine(error))}\n`);
  if (io.env.CODEX_DIAG_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.failure;
}

/** `-n/--lines`: a whole number of lines, 0 allowed (tail and export read it alike). */
export function parseLineCount(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new DiagError('BAD_USAGE', `-n/--lines must be a whole number of lines, got '${raw}'`);
  }
  return value;
}

export function defaultIo(): CliIo {
  const e = currentEnvironment();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    platform: e.platform,
    homedir: e.homedir,
  };
}
