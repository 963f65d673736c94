import { promises as fsp } from 'node:fs';
import type { Command } from 'commander';
import { DiagError, errnoCode, ExitCode } from '../errors.js';
import { fingerprintIncident } from '../incidents/fingerprint.js';
import { readIncidents } from '../incidents/read-incidents.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(ctx: CliContext, file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') return readStream(ctx.io.stdin);
  return readIncidentFile(ctx, file);
}

/** An incident file's text; a missing file is NOT_FOUND, a directory BAD_INPUT (also `export --incident`). */
export async function readIncidentFile(ctx: CliContext, file: string): Promise<string> {
  try {
    return await fsp.readFile(ctx.path(file), 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw new DiagError('NOT_FOUND', `incident file not found: ${file}`);
    if (code === 'EISDIR') throw new DiagError('BAD_INPUT', `incident file is a directory: ${file}`);
    throw new DiagError('IO', `cannot read incident file ${file}: ${code ?? String(error)}`, { cause: error });
  }
}

/**
 * `codex-diag fingerprint [FILE|-]` (docs/CLI.md): one result per incident, in
 * order. A bad line is reported on stderr as `codex-diag: <input>: line N: <reason>` and the good ones still print;
 * exit 2 when any line was bad, 3 when the input held no incident at all.
 */
export function registerFingerprint(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('fingerprint [file]')
      .description('read incidents (one JSON object or JSON lines; - or no file for stdin) and print one fingerprint each'),
  ).action(
    action(ctx, setExit, async (file: string | undefined, options: CommonOptions) => {
      const common = ctx.resolve(options);
      const items = readIncidents(await readInput(ctx, file));
      const inputName = file === undefined || file === '-' ? 'standard input' : file;
      if (items.length === 0) throw new DiagError('NO_INCIDENT', `no incident found in ${inputName}`);
      let bad = 0;
      for (const item of items) {
        if (!item.ok) {
          bad += 1;
          // The same shape as every other message of the CLI, naming the input and the line.
          ctx.io.stderr.write(`codex-diag: ${inputName}: line ${item.line}: ${item.error}\n`);
          continue;
        }
        const result = fingerprintIncident(item.incident, { homedir: ctx.io.homedir });
        if (common.json) ctx.jsonLine({ fingerprint: result.fingerprint, components: result.components, title: result.title });
        else ctx.out(`${result.fingerprint}  ${result.title}`);
      }
      return bad > 0 ? ExitCode.badInput : ExitCode.ok;
    }),
  );
}
