import { promises as fsp } from 'node:fs';
import type { Command } from 'commander';
import { DiagError, errnoCode } from '../errors.js';
import { levelRank, parseLevelName, parseLogLine } from '../logs/parse-line.js';
import { readLastLines } from '../logs/read-last-lines.js';
import type { TailLine } from '../logs/types.js';
import type { QuickCommand } from './commands.js';
import { action, addCommonOptions, COMMON_OPTIONS, type CliContext, type CommonOptions } from './context.js';
import { noLogsWhenMissing } from './missing-log-dir.js';
import { addOptions, type OptionSpec } from './option-spec.js';
import { neutralizeControls } from './terminal-text.js';

interface TailOptions extends CommonOptions {
  lines?: string;
  follow?: boolean;
  level?: string;
  redact?: boolean;
}

/** The options of `tail` besides the common ones, in the order help lists them. */
const TAIL_OPTIONS: readonly OptionSpec[] = [
  { flags: '-n, --lines <n>', description: 'number of lines', defaultValue: '10' },
  { flags: '-f, --follow', description: 'follow new lines across rotation until interrupted' },
  { flags: '--level <level>', description: 'only lines at this level or above (trace, debug, info, warn, error, fatal)' },
  { flags: '--redact', description: 'pass each line through the redactor bundles use before printing it' },
];

export function registerTail(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = program.command('tail').description('print the last N log lines across the log dir, oldest first');
  addCommonOptions(addOptions(command, TAIL_OPTIONS)).action(action(ctx, setExit, (options: TailOptions) => runTail(ctx, options)));
}

/** `tail` without commander when its argv is plain (see plain-options.ts): start-up is most of its time. */
export const quickTail: QuickCommand = {
  options: [...TAIL_OPTIONS, ...COMMON_OPTIONS],
  run: (ctx, options) => runTail(ctx, options as TailOptions),
};

async function runTail(ctx: CliContext, options: TailOptions): Promise<number> {
  const common = ctx.resolve(options);
  const count = parseLineCount(options.lines);
  const accept = levelFilter(options.level);
  const redact = options.redact ? await lineRedactor(ctx) : (line: TailLine) => line;
  const print = (raw: TailLine) => {
    const line = redact(raw);
    if (common.json) ctx.jsonLine(parseLogLine(line));
    else ctx.io.stdout.write(`${neutralizeControls(line.text)}\n`);
  };

  if (!options.follow) {
    const { lines } = await readLastLines({ logDir: common.logDir, count, ...(accept ? { accept } : {}) }).catch((error: unknown) => {
      throw noLogsWhenMissing(error, common.logDir);
    });
    for (const line of lines) print(line);
    return 0;
  }

  // Loaded only for -f (`tail -n N` starts without the follower), while the dir is checked.
  const follower = import('../logs/follow.js');
  await checkLogDir(common.logDir).catch((error: unknown) => {
    throw noLogsWhenMissing(error, common.logDir);
  });
  const { followLogs } = await follower;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A closed pipe (`tail -f | head`) ends following quietly.
  const onStdoutError = (error: unknown) => {
    if (errnoCode(error) === 'EPIPE') stop();
  };
  ctx.io.stdout.on('error', onStdoutError);
  try {
    await followLogs({
      logDir: common.logDir,
      signal: controller.signal,
      initialLines: count,
      ...(accept ? { accept } : {}),
      onLine: print,
      onLive: ({ files }) => {
        if (files === 0) ctx.info(common, `no log files in ${common.logDir} yet; waiting for some (Ctrl-C to stop)`);
      },
      onError: (error) => ctx.warn(error instanceof Error ? error.message : String(error)),
      // Ref'd timers: the CLI process must stay alive while it follows.
      clock: {
        now: () => Date.now(),
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
      },
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ctx.io.stdout.off('error', onStdoutError);
  }
  return 0;
}

/** `-n`: a whole number of lines, 0 allowed (with -f: only new lines). */
function parseLineCount(raw: string | undefined): number {
  const text = (raw ?? '10').trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new DiagError('BAD_USAGE', `-n/--lines must be a whole number of lines, got '${raw}'`);
  }
  return value;
}

/** `--level warn`: lines at warn or above; lines with no recognisable level are left out. */
function levelFilter(raw: string | undefined): ((line: TailLine) => boolean) | undefined {
  if (raw === undefined) return undefined;
  const level = parseLevelName(raw);
  if (!level) {
    throw new DiagError('BAD_USAGE', `--level must be one of trace, debug, info, warn, error, fatal, got '${raw}'`);
  }
  const min = levelRank(level);
  return (line) => levelRank(parseLogLine(line).level) >= min;
}

/** Every printed line through one redactor session, so a private key spread over lines is still caught. */
async function lineRedactor(ctx: CliContext): Promise<(line: TailLine) => TailLine> {
  // Loaded only for --redact: plain tail starts without the redaction rules.
  const [{ createRedactor }, { redactionContextFrom }] = await Promise.all([
    import('../bundle/redactor.js'),
    import('../bundle/redaction-context.js'),
  ]);
  const session = createRedactor(redactionContextFrom(ctx.io)).session();
  let source: string | null = null;
  return (line) => {
    if (source !== null && line.source !== source) session.endOfSource();
    source = line.source;
    return { source: line.source, text: session.line(line.text) };
  };
}

/** `-f` waits for logs in an empty dir, but a missing dir or a file in its place is bad input. */
async function checkLogDir(logDir: string): Promise<void> {
  try {
    if (!(await fsp.stat(logDir)).isDirectory()) throw new DiagError('BAD_INPUT', `log dir is not a directory: ${logDir}`);
  } catch (error) {
    if (error instanceof DiagError) throw error;
    if (errnoCode(error) === 'ENOENT') throw new DiagError('NOT_FOUND', `log dir not found: ${logDir}`);
    throw new DiagError('IO', `cannot read log dir ${logDir}: ${(error as Error).message}`, { cause: error });
  }
}
