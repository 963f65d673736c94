import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerInspect(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('inspect <bundle>')
      .description('verify a bundle (schema, checksums, entry names, sizes) and summarise it'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'inspect is not available in this build');
    }),
  );
}
