import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerDemo(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('demo')
      .description('run the whole pipeline on a simulated desktop session in a temp dir and say where to look')
      .option('--keep', 'keep the temp dir (default: kept, path printed)'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'demo is not available in this build');
    }),
  );
}
