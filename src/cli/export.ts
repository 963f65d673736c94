import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerExport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('export')
      .description('build a crash bundle from the last N log lines, the state and an incident; print its path')
      .option('-n, --lines <n>', 'number of log lines', '1000')
      .option('--out <path>', 'bundle path or directory (default: <data dir>/bundles)')
      .option('--incident <file>', 'incident JSON file (default: the latest journaled incident)')
      .option('--no-incident', 'a manual export with no incident')
      .option('--upload', 'queue the bundle and make one bounded upload attempt')
      .option('--dsn <dsn>', 'Sentry DSN (or $CODEX_DIAG_DSN, then $SENTRY_DSN)'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'export is not available in this build');
    }),
  );
}
