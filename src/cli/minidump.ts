import path from 'node:path';
import type { Command } from 'commander';
import { DiagError, ExitCode } from '../errors.js';
import { naming, readDumpFile, writeScrubbedCopy } from '../minidump/dump-file.js';
import { summariseMinidump, type MinidumpSummary } from '../minidump/summary.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

interface MinidumpOptions extends CommonOptions {
  scrub?: boolean;
  out?: string;
}

/**
 * `codex-diag minidump FILE [--json] [--scrub --out FILE]`: summarises a Crashpad minidump;
 * `--scrub --out` writes the scrubbed copy bundles carry (the input is never changed).
 */
export function registerMinidump(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('minidump <file>')
      .description('summarise a Crashpad minidump; --scrub --out FILE writes the scrubbed copy bundles carry')
      .option('--scrub', 'overwrite secrets, the home dir and the user name in a copy (needs --out)')
      .option('--out <file>', 'where the scrubbed copy goes'),
  ).action(
    action(ctx, setExit, async (file: string, options: MinidumpOptions) => {
      const common = ctx.resolve(options);
      if (options.scrub && options.out === undefined) throw new DiagError('BAD_USAGE', '--scrub needs --out FILE (the input is never changed)');
      if (!options.scrub && options.out !== undefined) throw new DiagError('BAD_USAGE', '--out is only for --scrub');
      const input = ctx.path(file);
      if (!options.scrub) {
        const bytes = await readDumpFile(input, file);
        const summary = naming(file, () => summariseMinidump(bytes));
        if (common.json) ctx.json(summary);
        else ctx.out(describe(file, summary));
        return ExitCode.ok;
      }
      const output = ctx.path(options.out!);
      if (path.resolve(output) === path.resolve(input)) throw new DiagError('BAD_USAGE', `--out ${options.out} is the input itself; write the scrubbed copy elsewhere`);
      // The redactor's rule tables load only when a copy is scrubbed.
      const [{ createRedactor }, { redactionContextFrom }, { createSecretFinder }] = await Promise.all([
        import('../bundle/redactor.js'),
        import('../bundle/redaction-context.js'),
        import('../minidump/secret-finder.js'),
      ]);
      const context = redactionContextFrom(ctx.io);
      const finder = createSecretFinder({ redactor: createRedactor(context), ...context });
      const stats = await writeScrubbedCopy(input, output, finder);
      // The summary of the copy: what it shows is what leaves the machine.
      const copy = await readDumpFile(output, options.out);
      const summary = summariseMinidump(copy);
      const scrub = { out: output, regions: stats.regions, bytesScanned: stats.bytesScanned, matches: stats.matches };
      if (common.json) ctx.json({ ...summary, scrub });
      else {
        ctx.out(describe(options.out!, summary));
        ctx.info(common, `scrubbed ${stats.matches} match(es) in ${stats.regions} region(s), ${stats.bytesScanned} bytes scanned: ${output}`);
      }
      return ExitCode.ok;
    }),
  );
}

function describe(file: string, s: MinidumpSummary): string {
  const lines = [
    `${file}`,
    `  process:   ${s.processType ?? 'unknown'}${s.annotations.pid ? ` (pid ${s.annotations.pid})` : ''}`,
    `  crash:     ${s.crashReason ?? 'no exception recorded'}${s.crashAddress ? ` at ${s.crashAddress}` : ''}`,
    `  module:    ${s.crashingModule ?? 'unknown'}`,
    `  modules:   ${s.modules}, threads: ${s.threads}`,
  ];
  const keys = Object.keys(s.annotations);
  if (keys.length > 0) {
    lines.push(`  annotations (${keys.length}):`);
    for (const key of keys) lines.push(`    ${key} = ${s.annotations[key]}`);
  }
  return lines.join('\n');
}
