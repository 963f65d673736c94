import type { Command } from 'commander';
import { DiagError, ExitCode } from '../errors.js';
import { backupPathFor } from '../state/files.js';
import { migrateStateFile } from '../state/migrate-file.js';
import { loadStateReadOnly } from '../state/read-only.js';
import { summarizeStartup } from '../state/startup-metrics.js';
import { action, addCommonOptions, type CliContext, type CommonOptions, type ResolvedCommon } from './context.js';

const ACTIONS = ['show', 'migrate', 'path'] as const;
type StateAction = (typeof ACTIONS)[number];

const HELP_AFTER = `
Actions:
  show     print the state, migrated in memory to the current version (default; never writes)
  migrate  rewrite the file in the current version (the original is kept as <file>.bak; when that
           exists already, as <file>.bak.1, .bak.2, ...: an earlier backup is never overwritten)
  path     print the state file's path

--json output: show -> the state; migrate -> {from, to, path}; path -> {path}

Exit codes:
  0  ok (migrate on a current file changes nothing)
  1  the file could not be read or written (STATE_UNWRITABLE, IO; e.g. a read-only or full disk)
  2  bad usage; the file is corrupt, nested more than 64 levels deep or over 16 MiB (left where it
     is: the app moves it aside itself on its next start), from a newer version (left untouched),
     or not a regular file; the data dir is not a directory
  3  there is no state file (the app has not saved state yet): show and migrate print nothing
`;

export function registerState(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('state [action]')
      .description('show (migrated in memory, never writes), migrate (on disk) or path of the state file')
      .addHelpText('after', HELP_AFTER),
  ).action(
    action(ctx, setExit, async (name: string | undefined, options: CommonOptions) => {
      const common = ctx.resolve(options);
      const chosen = parseAction(name);
      if (chosen === 'path') return statePath(ctx, common);
      // Without --state the file lives in the data dir: a data dir that is a file is bad input, not "no state".
      if (options.state === undefined) await ctx.checkDataDir(common);
      if (chosen === 'migrate') return migrate(ctx, common);
      return show(ctx, common);
    }),
  );
}

function parseAction(name: string | undefined): StateAction {
  if (name === undefined) return 'show';
  if ((ACTIONS as readonly string[]).includes(name)) return name as StateAction;
  throw new DiagError('BAD_USAGE', `unknown state action '${name}' (expected one of: ${ACTIONS.join(', ')})`);
}

function statePath(ctx: CliContext, common: ResolvedCommon): number {
  if (common.json) ctx.json({ path: common.stateFile });
  else ctx.out(common.stateFile);
  return ExitCode.ok;
}

async function show(ctx: CliContext, common: ResolvedCommon): Promise<number> {
  const read = await loadStateReadOnly(common.stateFile);
  if (!read.exists) {
    throw new DiagError('NO_STATE', `no state file at ${read.path} (the app has not saved state yet); nothing to show`);
  }
  if (common.json) {
    ctx.json(read.state);
    return ExitCode.ok;
  }
  ctx.out(JSON.stringify(read.state, null, 2));
  if (read.migrated) {
    ctx.info(
      common,
      `note: ${read.path} is version ${read.fromVersion}; shown migrated to version ${read.state.version} (file unchanged; 'codex-diag state migrate' rewrites it)`,
    );
  }
  const startup = summarizeStartup(read.state);
  if (startup.samples > 0) {
    ctx.info(
      common,
      `startup: ${startup.samples} of ${startup.launches} launches reached renderer-ready; p50 ${startup.p50_ms} ms, p95 ${startup.p95_ms} ms`,
    );
  }
  return ExitCode.ok;
}

async function migrate(ctx: CliContext, common: ResolvedCommon): Promise<number> {
  const result = await migrateStateFile(common.stateFile);
  if (common.json) {
    ctx.json({ from: result.from, to: result.to, path: result.path });
  } else if (result.rewritten) {
    ctx.info(
      common,
      `migrated ${result.path} from version ${result.from} to ${result.to} (original kept as ${result.backupPath ?? backupPathFor(result.path)})`,
    );
  } else {
    ctx.info(common, `${result.path} is already version ${result.to}; nothing to do`);
  }
  return ExitCode.ok;
}
