import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerTail(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('tail')
      .description('print the last N log lines across the log dir, oldest first')
      .option('-n, --lines <n>', 'number of lines', '10')
      .option('-f, --follow', 'follow new lines across rotation until interrupted')
      .option('--level <level>', 'only lines at this level or above (trace, debug, info, warn, error, fatal)'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'tail is not available in this build');
    }),
  );
}
