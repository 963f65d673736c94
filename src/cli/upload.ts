import type { Command } from 'commander';
import { DiagError } from '../errors.js';
import { action, addCommonOptions, type CliContext } from './context.js';

export function registerUpload(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('upload')
      .description('drain the outbox to Sentry now')
      .option('--dsn <dsn>', 'Sentry DSN (or $CODEX_DIAG_DSN, then $SENTRY_DSN)'),
  ).action(
    action(ctx, setExit, () => {
      throw new DiagError('INTERNAL', 'upload is not available in this build');
    }),
  );
}
