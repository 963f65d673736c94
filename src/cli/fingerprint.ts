import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerFingerprint(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('fingerprint [file]')
      .description('read incidents (one JSON object or JSON lines; - or no file for stdin) and print one fingerprint each'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'fingerprint is not available in this build');
    }),
  );
}
