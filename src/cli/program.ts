import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { CliContext, type CliIo } from './context.js';
import { registerDemo } from './demo.js';
import { registerExport } from './export.js';
import { registerFingerprint } from './fingerprint.js';
import { registerInspect } from './inspect.js';
import { registerRedact } from './redact.js';
import { registerState } from './state.js';
import { registerTail } from './tail.js';
import { registerUpload } from './upload.js';
import { packageVersion } from '../version.js';

export type CommandRegistrar = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;

const registrars: CommandRegistrar[] = [
  registerExport,
  registerTail,
  registerInspect,
  registerUpload,
  registerState,
  registerRedact,
  registerFingerprint,
  registerDemo,
];

/** Runs the CLI in-process and resolves to the exit code; the bin entry only sets process.exitCode. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  let exitCode: number = ExitCode.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('codex-diag')
    .description('Crash diagnostics for the Codex desktop app: tail logs, build and inspect crash bundles, upload to Sentry.')
    .version(packageVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`codex-diag: ${s.replace(/^error: /, '')}`),
    });
  for (const register of registrars) register(program, ctx, setExit);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is bad usage.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    throw error;
  }
  return exitCode;
}
