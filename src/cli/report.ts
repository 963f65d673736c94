import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

/**
 * `codex-diag report [BUNDLE] [--out FILE]` (contract: CLI): writes the self-contained
 * HTML report of one bundle (default beside it, `<bundle>.report.html`), or with no BUNDLE of the
 * whole data dir (default `<data dir>/report.html`), and prints its path; `--json` prints {path, bytes}.
 */
export function registerReport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('report [bundle]')
      .description('write the self-contained HTML report of a bundle, or with no bundle of the whole data dir')
      .option('--out <file>', 'write the report here (default: beside the bundle, or <data dir>/report.html)'),
  ).action(
    action(ctx, setExit, async (bundle: string | undefined, options: CommonOptions & { out?: string }) => {
      const common = ctx.resolve(options);
      const out = options.out === undefined ? undefined : ctx.path(options.out);
      const { writeBundleReport, writeDataDirReport } = await import('../report/write-report.js');
      let written;
      if (bundle !== undefined) {
        written = await writeBundleReport(ctx.path(bundle), out);
      } else {
        const { createRedactor } = await import('../bundle/redactor.js');
        const { redactionContextFrom } = await import('../bundle/redaction-context.js');
        written = await writeDataDirReport({
          dataDir: common.dataDir,
          stateFile: common.stateFile,
          redactor: createRedactor(redactionContextFrom(ctx.io)),
          ...(out ? { out } : {}),
        });
      }
      if (common.json) ctx.json(written);
      else ctx.out(written.path);
      return ExitCode.ok;
    }),
  );
}
