import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerRedact(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('redact [file]')
      .description('print the text scrubbed by the redactor bundles use (- or no file for stdin)'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'redact is not available in this build');
    }),
  );
}
