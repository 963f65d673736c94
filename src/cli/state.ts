import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerState(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('state [action]')
      .description('show (migrated in memory, never writes), migrate (on disk) or path of the state file'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'state is not available in this build');
    }),
  );
}
