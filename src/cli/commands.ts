import type { Command } from 'commander';
import type { ActionResult, CliContext } from './context.js';
import type { OptionSpec } from './option-spec.js';
import type { PlainOptions } from './plain-options.js';

/** Adds one command (its options, help and action) to the program. */
export type CommandRegistrar = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;

/** One row of the command table: the name typed on the command line and how to load its module. */
export interface CommandEntry {
  name: string;
  /** Imports the command's module only when that command runs (or when help lists every command). */
  load: () => Promise<CommandRegistrar>;
  /** For a command run often: its options and action, run without commander when argv is plain. */
  quick?: () => Promise<QuickCommand>;
}

/** A command that can run without commander: every option it takes (common ones too) and its action. */
export interface QuickCommand {
  options: readonly OptionSpec[];
  run: (ctx: CliContext, options: PlainOptions) => Promise<ActionResult> | ActionResult;
}

/**
 * Every `codex-diag` command, in the order `--help` lists them.
 *
 * Start-up cost is paid per command: the CLI reads the command name from argv, then imports only
 * that row's module, so `tail -n 10` never loads the bundle builder, zod or the uploader.
 * To add a command:
 *   1. write src/cli/<name>.ts exporting `register<Name>(program, ctx, setExit)` (see tail.ts);
 *      keep that module's top-level imports to what every run of the command needs and
 *      `await import()` the rest inside the action;
 *   2. add a row here: `{ name: '<name>', load: () => import('./<name>.js').then((m) => m.register<Name>) }`.
 * Nothing else imports a command module, so a new row cannot slow the others down.
 * A command run often enough that commander's own load time shows (`tail`) also gives `quick`:
 * its option table and action, run directly when argv holds only plain options (plain-options.ts).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'export', load: () => import('./export.js').then((m) => m.registerExport) },
  { name: 'tail', load: () => import('./tail.js').then((m) => m.registerTail), quick: () => import('./tail.js').then((m) => m.quickTail) },
  { name: 'inspect', load: () => import('./inspect.js').then((m) => m.registerInspect) },
  { name: 'upload', load: () => import('./upload.js').then((m) => m.registerUpload) },
  { name: 'state', load: () => import('./state.js').then((m) => m.registerState) },
  { name: 'redact', load: () => import('./redact.js').then((m) => m.registerRedact) },
  { name: 'fingerprint', load: () => import('./fingerprint.js').then((m) => m.registerFingerprint) },
  { name: 'minidump', load: () => import('./minidump.js').then((m) => m.registerMinidump) },
  { name: 'report', load: () => import('./report.js').then((m) => m.registerReport) },
  { name: 'demo', load: () => import('./demo.js').then((m) => m.registerDemo) },
];

/**
 * The command an argv asks for: the first word that is not an option (the program itself takes
 * only --help and --version), or the word after `help`. Undefined when no known command is named,
 * in which case every command is registered so help and "unknown command" stay complete.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}
