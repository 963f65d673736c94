import { ExitCode } from '../errors.js';
import { COMMANDS, commandNamed, type QuickCommand } from './commands.js';
import { action, CliContext, type CliIo } from './context.js';

/** Commands register through the table in commands.ts; this file only parses and dispatches. */
export type { CommandRegistrar } from './commands.js';

const VERSION_FLAGS = new Set(['-V', '--version']);

/** Runs the CLI in-process and resolves to the exit code; the bin entry only sets process.exitCode. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // `--version` is answered before the parser is even loaded.
  if (argv.length === 1 && VERSION_FLAGS.has(argv[0] ?? '')) {
    const { packageVersion } = await import('../version.js');
    io.stdout.write(`${packageVersion}\n`);
    return ExitCode.ok;
  }
  const ctx = new CliContext(io);
  let exitCode: number = ExitCode.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  // A command with a quick form, named first and given only plain options, runs without the parser.
  const named = commandNamed(argv);
  if (named?.quick && argv[0] === named.name) {
    const [quick, { parsePlainOptions }]: [QuickCommand, typeof import('./plain-options.js')] = await Promise.all([named.quick(), import('./plain-options.js')]);
    const options = parsePlainOptions(argv.slice(1), quick.options);
    if (options) {
      await action(ctx, setExit, () => quick.run(ctx, options))();
      return exitCode;
    }
  }
  const [{ Command, CommanderError }, { packageVersion }] = await Promise.all([import('commander'), import('../version.js')]);
  const program = new Command('codex-diag')
    .description('Crash diagnostics for the Codex desktop app: tail logs, build and inspect crash bundles, upload to Sentry.')
    .version(packageVersion, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`${usageErrorLine(s, argv)}\n`),
    });
  // Only the named command's module is loaded; help and unknown commands need them all.
  const registrars = await Promise.all((named ? [named] : COMMANDS).map((c) => c.load()));
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

/** A parse error as one line: commander's message (its "Did you mean" folded in) and where help is. */
export function usageErrorLine(message: string, argv: readonly string[]): string {
  const text = message
    .replace(/^error: /, '')
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
  const named = commandNamed(argv);
  return `codex-diag: ${text} (see 'codex-diag ${named ? `${named.name} ` : ''}--help')`;
}
