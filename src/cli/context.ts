import path from 'node:path';
import type { Command } from 'commander';
import { DiagError, ExitCode, isDiagError, oneLine } from '../errors.js';
import { currentEnvironment, dataLayout, defaultDataDir, defaultLogDir, type PathEnvironment } from '../paths.js';

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

/** Options every command takes (contract: DESIGN.md "CLI"). */
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

export function addCommonOptions(command: Command): Command {
  return command
    .option('--log-dir <dir>', 'log directory (default: platform log dir, or $CODEX_DIAG_LOG_DIR)')
    .option('--data-dir <dir>', 'data directory for state, journal, outbox, bundles (or $CODEX_DIAG_DATA_DIR)')
    .option('--state <file>', 'state file (default: <data dir>/state.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'no messages on stderr');
}

export class CliContext {
  constructor(readonly io: CliIo) {}

  private pathEnvironment(): PathEnvironment {
    return { platform: this.io.platform, env: this.io.env, homedir: this.io.homedir };
  }

  resolve(options: CommonOptions): ResolvedCommon {
    const e = this.pathEnvironment();
    const abs = (p: string) => path.resolve(this.io.cwd, p);
    const dataDir = abs(options.dataDir ?? defaultDataDir(e));
    return {
      logDir: abs(options.logDir ?? defaultLogDir(e)),
      dataDir,
      stateFile: abs(options.state ?? dataLayout(dataDir).stateFile),
      json: options.json ?? false,
      quiet: options.quiet ?? false,
    };
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

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A message for people, on stderr, unless --quiet. */
  info(common: { quiet: boolean }, text: string): void {
    if (!common.quiet) this.io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`codex-diag: warning: ${text}\n`);
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
    io.stderr.write(`codex-diag: ${oneLine(error)}\n`);
    return error.exitCode;
  }
  io.stderr.write(`codex-diag: internal error: ${oneLine(error)}\n`);
  if (io.env.CODEX_DIAG_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.failure;
}

/** Parses a positive integer option, or fails with a usage error naming the option. */
export function parseCount(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(String(raw).trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new DiagError('BAD_USAGE', `${name} must be a positive integer, got '${raw}'`);
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
