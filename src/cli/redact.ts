import { createReadStream, promises as fsp } from 'node:fs';
import type { Command } from 'commander';
import { redactionPieces } from '../bundle/redact-stream.js';
import { redactionContextFrom } from '../bundle/redaction-context.js';
import { createRedactor } from '../bundle/redactor.js';
import { DiagError, errnoCode, ExitCode } from '../errors.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

/**
 * `codex-diag redact [FILE|-]` (docs/CLI.md): the bundle redactor as a filter.
 * Streams line by line (JSON lines parsed, PEM blocks followed across lines); `--json` prints
 * one document {text, counts}. A missing file is exit 2.
 */
export function registerRedact(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('redact [file]')
      .description('print the text scrubbed by the redactor bundles use (- or no file for stdin)'),
  ).action(
    action(ctx, setExit, async (file: string | undefined, options: CommonOptions) => {
      const common = ctx.resolve(options);
      const input = await openInput(ctx, file);
      const session = createRedactor(redactionContextFrom(ctx.io)).session();
      const parts: string[] = [];
      // A very long line comes in pieces of about 1 MiB (memory stays a few MiB, not several copies of the line).
      for await (const line of redactionPieces(input as AsyncIterable<Buffer>)) {
        const out = session.line(line.text) + (line.newline ? '\n' : '');
        if (common.json) parts.push(out);
        // Respect backpressure: a 1 GB file piped into a pager must not pile up in memory.
        else if (!ctx.io.stdout.write(out)) await new Promise((resolve) => ctx.io.stdout.once('drain', resolve));
      }
      if (common.json) ctx.json({ text: parts.join(''), counts: session.counts() });
      return ExitCode.ok;
    }),
  );
}

async function openInput(ctx: CliContext, file: string | undefined): Promise<NodeJS.ReadableStream> {
  if (file === undefined || file === '-') return ctx.io.stdin;
  const full = ctx.path(file);
  try {
    const stat = await fsp.stat(full);
    if (stat.isDirectory()) throw new DiagError('BAD_INPUT', `${file}: is a directory, expected a file to redact`);
  } catch (error) {
    if (error instanceof DiagError) throw error;
    if (errnoCode(error) === 'ENOENT') throw new DiagError('NOT_FOUND', `${file}: no such file to redact`);
    throw new DiagError('IO', `cannot read ${file}: ${errnoCode(error) ?? String(error)}`, { cause: error });
  }
  return createReadStream(full);
}
