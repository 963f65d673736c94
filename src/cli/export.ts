import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BUNDLE_BOUNDS } from '../bundle/bounds.js';
import type { BundleFingerprint, BundleInput, BundleProgress, BuiltBundle } from '../bundle/builder.js';
import { redactionContextFrom } from '../bundle/redaction-context.js';
import { DiagError, errnoCode, ExitCode, isDiagError, oneLine, systemErrorLine } from '../errors.js';
import { fingerprintIncident } from '../incidents/fingerprint.js';
import { discoverLogFiles } from '../logs/discover.js';
import { IncidentJournal } from '../incidents/journal.js';
import { readIncidents } from '../incidents/read-incidents.js';
import { sweepStaleTempFiles } from '../fs/sweep-temp.js';
import { ensureWritableDir } from '../fs/writable-dir.js';
import { readLastLines } from '../logs/read-last-lines.js';
import { dataLayout, defaultCrashDir } from '../paths.js';
import { describeDsn, type ParsedDsn } from '../upload/dsn.js';
import { loadStateReadOnly } from '../state/read-only.js';
import { dsnSetting } from './dsn-setting.js';
import { exportMinidump, type ExportMinidump } from './export-minidump.js';
import { readIncidentFile } from './fingerprint.js';
import { noLogsWhenMissing } from './missing-log-dir.js';
import { action, addCommonOptions, parseLineCount, type CliContext, type CommonOptions, type ResolvedCommon } from './context.js';

interface ExportOptions extends CommonOptions {
  lines?: string;
  out?: string;
  /** A file path, false for --no-incident, undefined for the latest journaled incident. */
  incident?: string | false;
  upload?: boolean;
  dsn?: string;
  crashDir?: string;
  /** false for --no-minidump. */
  minidump?: boolean;
}

/** The incident a bundle is made for, with its fingerprint. */
interface ChosenIncident {
  incident: Record<string, unknown>;
  fingerprint: BundleFingerprint;
  occurredAt?: string;
  suppressedCount?: number;
}

/**
 * `codex-diag export` (docs/CLI.md): the last N log lines, the state and an incident
 * (the latest journaled one unless --incident FILE, none with --no-incident) into a bundle under
 * <data dir>/bundles (or --out). Prints the path; `--json` prints
 * {path, bytes, sha256, bundleId, fingerprint, lines, redactions, upload}.
 * Exit 3 when there are no logs; 2 for a bad incident file or bad usage. A state file or journal
 * entry that cannot be read is left out with a warning: the bundle is still written.
 */
export function registerExport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  // --incident FILE and --no-incident set one value, the last one winning: seen both, refuse.
  const incidentFlags = new Set<string>();
  const command = addCommonOptions(
    program
      .command('export')
      .description('build a crash bundle from the last N log lines, the state and an incident; print its path')
      .option('-n, --lines <n>', 'number of log lines', '1000')
      .option('--out <path>', 'bundle path or directory (default: <data dir>/bundles)')
      .option('--incident <file>', 'incident JSON file (default: the latest journaled incident)')
      .option('--no-incident', 'a manual export with no incident')
      .option('--upload', 'queue the bundle and make one bounded upload attempt')
      .option('--dsn <dsn>', 'Sentry DSN (or $CODEX_DIAG_DSN, then $SENTRY_DSN)')
      .option('--crash-dir <dir>', "the app's Crashpad dump dir (default: platform dir, or $CODEX_DIAG_CRASH_DIR)")
      .option('--no-minidump', "leave the crashed process's minidump out"),
  );
  command.on('option:incident', () => incidentFlags.add('--incident'));
  command.on('option:no-incident', () => incidentFlags.add('--no-incident'));
  command.action(
    action(ctx, setExit, async (options: ExportOptions) => {
      if (incidentFlags.size > 1) {
        throw new DiagError('BAD_USAGE', '--incident FILE and --no-incident contradict each other: give one of them');
      }
      const common = ctx.resolve(options);
      const count = parseLineCount(options.lines, DEFAULT_BUNDLE_BOUNDS.maxLines);
      // A malformed DSN is bad usage: refuse it before anything is built or queued.
      const dsn = options.upload ? dsnSetting(options.dsn, ctx.io.env) : undefined;
      await ctx.checkDataDir(common);
      const chosen = await chooseIncident(ctx, common, options.incident);
      const lines = await readLogLines(common.logDir, count);
      const state = await readState(ctx, common);
      const app = { name: 'Codex', version: appVersionOf(chosen?.incident) };
      const input: BundleInput = {
        incident: chosen?.incident ?? null,
        fingerprint: chosen?.fingerprint ?? null,
        lines,
        state,
        app,
        ...(chosen?.occurredAt !== undefined ? { occurredAt: chosen.occurredAt } : {}),
        ...(chosen?.suppressedCount !== undefined ? { suppressedCount: chosen.suppressedCount } : {}),
      };
      const progress = progressReporter(ctx);
      const target = await outTarget(ctx, common, options.out);
      const targetDir = 'outDir' in target ? target.outDir : path.dirname(target.outPath);
      await ensureWritableDir(targetDir).catch((error: unknown) => {
        throw diskError(error, `cannot write the bundle in ${targetDir}`);
      });
      // Temp files of writers killed mid-zip (kill -9, power loss) would otherwise stay forever.
      await sweepStaleTempFiles(targetDir);
      // Loaded here: archiver comes with the builder and is not needed by other commands.
      const { buildBundle } = await import('../bundle/builder.js');
      const { createRedactor } = await import('../bundle/redactor.js');
      const identity = redactionContextFrom(ctx.io);
      const redactor = createRedactor(identity);
      const crashDir = ctx.path(options.crashDir ?? defaultCrashDir({ platform: ctx.io.platform, env: ctx.io.env, homedir: ctx.io.homedir }));
      const minidump = options.minidump === false ? null : await exportMinidump(crashDir, chosen?.incident ?? null, identity, redactor, (m) => ctx.warn(m));
      if (minidump) input.native = minidump.native;
      const built = await buildBundle(input, {
        ...target,
        bounds: { maxLines: count },
        redactor,
        onProgress: progress.update,
      })
        .catch((error: unknown) => {
          throw diskError(error, `cannot write the bundle in ${targetDir}`);
        })
        .finally(progress.clear);
      const upload = options.upload ? await uploadOnce(ctx, common, built.path, dsn) : null;
      return report(ctx, common, built, chosen, upload, minidump && built.manifest.native?.path ? minidump.report : null);
    }),
  );
}

/**
 * A full or read-only disk (or a permission) as one line: `what`, then the path and the reason.
 * Looks through a DiagError to the system error it wraps; any other error is returned as it is.
 */
function diskError(error: unknown, what: string): unknown {
  const system = systemErrorLine(error) ?? (isDiagError(error) ? systemErrorLine(error.cause) : undefined);
  return system === undefined ? error : new DiagError('IO', `${what}: ${system}`, { cause: error });
}

/** What `--json` reports of `--upload`. */
interface ExportUpload {
  sent: boolean;
  eventId: string;
  pending: number;
  reason: string | null;
}

/** Queues the bundle and makes one bounded attempt (seconds, not minutes); not sent means still queued. */
async function uploadOnce(ctx: CliContext, common: ResolvedCommon, bundlePath: string, dsn: ParsedDsn | undefined): Promise<ExportUpload> {
  const { uploadBundle } = await import('../upload/upload-now.js');
  const outboxDir = dataLayout(common.dataDir).outboxDir;
  ctx.info(common, dsn ? `uploading to ${describeDsn(dsn)}` : 'no Sentry DSN (--dsn, CODEX_DIAG_DSN, SENTRY_DSN): the bundle is queued and stays local');
  const result = await uploadBundle({ outboxDir, bundlePath, ...(dsn ? { dsn: dsn.dsn } : {}), deadlineMs: EXPORT_UPLOAD_DEADLINE_MS });
  if (result.sent) ctx.info(common, `sent to Sentry as event ${result.eventId}`);
  else if (result.result?.outcome === 'failed') ctx.warn(`Sentry refused the bundle (${result.reason ?? 'no reason given'}): kept in ${path.join(outboxDir, 'failed')}`);
  else ctx.warn(`not sent (${result.reason ?? 'unknown reason'}): the bundle stays queued in ${outboxDir}; run \`codex-diag upload\` later`);
  return { sent: result.sent, eventId: result.eventId, pending: result.pending, reason: result.reason ?? null };
}

/** `export --upload` makes one attempt bounded by this budget. */
const EXPORT_UPLOAD_DEADLINE_MS = 10_000;

function report(ctx: CliContext, common: ResolvedCommon, built: BuiltBundle, chosen: ChosenIncident | null, upload: ExportUpload | null, minidump: ExportMinidump | null): number {
  if (common.json) {
    ctx.json({
      path: built.path,
      bytes: built.bytes,
      sha256: built.sha256,
      bundleId: built.bundleId,
      fingerprint: chosen?.fingerprint.fingerprint ?? null,
      lines: built.lines,
      redactions: built.redactions,
      upload,
      minidump,
    });
  } else {
    ctx.out(built.path);
    const redacted = Object.values(built.redactions).reduce((a, b) => a + b, 0);
    const what = chosen ? `${chosen.fingerprint.fingerprint} (${chosen.fingerprint.title ?? chosen.incident.kind})` : 'no incident';
    ctx.info(common, `bundle written: ${built.lines} log lines, ${redacted} redactions, ${built.bytes} bytes, ${what}`);
    if (minidump) ctx.info(common, `minidump: ${minidump.processType ?? 'unknown process'} (${minidump.crashReason ?? 'no exception'}) from ${minidump.path}, scrubbed`);
    else if (built.manifest.native?.omitted) ctx.warn(`minidump left out: ${built.manifest.native.omitted}`);
  }
  // Contract: a bundle that could not be sent is still written and queued, exit 4 (never 1).
  return upload && !upload.sent ? ExitCode.uploadIncomplete : ExitCode.ok;
}

async function chooseIncident(ctx: CliContext, common: ResolvedCommon, option: string | false | undefined): Promise<ChosenIncident | null> {
  if (option === false) return null;
  if (typeof option === 'string') return incidentFromFile(ctx, option);
  const journal = IncidentJournal.inDataDir(common.dataDir);
  const latest = await journal.latest();
  if (!latest) {
    ctx.info(common, `no journaled incident in ${journal.dir}; exporting without one`);
    return null;
  }
  return {
    incident: latest.incident as unknown as Record<string, unknown>,
    fingerprint: { fingerprint: latest.fingerprint, components: latest.components, title: latest.title },
    occurredAt: latest.occurredAt,
    suppressedCount: latest.suppressedSinceLast,
  };
}

async function incidentFromFile(ctx: CliContext, file: string): Promise<ChosenIncident> {
  const items = readIncidents(await readIncidentFile(ctx, file));
  const bad = items.find((item) => !item.ok);
  if (bad && !bad.ok) throw new DiagError('BAD_INPUT', `${file}: line ${bad.line}: ${bad.error}`);
  const last = items.at(-1);
  if (!last || !last.ok) throw new DiagError('BAD_INPUT', `${file}: no incident (expected one JSON object or JSON lines)`);
  return {
    incident: last.incident as unknown as Record<string, unknown>,
    fingerprint: fingerprintIncident(last.incident, { homedir: ctx.io.homedir }),
  };
}

async function readLogLines(logDir: string, count: number) {
  try {
    if (count === 0) {
      // -n 0: a bundle without log lines, from a log dir that still has to exist (as for tail -n 0).
      await discoverLogFiles(logDir);
      return [];
    }
    const { lines } = await readLastLines({ logDir, count, maxLineBytes: DEFAULT_BUNDLE_BOUNDS.maxLineBytes });
    if (lines.length === 0) throw new DiagError('NO_LOGS', `the log files in ${logDir} are empty; nothing to export`);
    return lines;
  } catch (error) {
    throw noLogsWhenMissing(error, logDir);
  }
}

/** The state, migrated in memory; a missing file is null, an unreadable one is noted and left out. */
async function readState(ctx: CliContext, common: ResolvedCommon): Promise<unknown> {
  try {
    const read = await loadStateReadOnly(common.stateFile);
    return read.exists ? read.state : null;
  } catch (error) {
    // Whatever is wrong with the state, the logs and the incident still make a bundle.
    const code = isDiagError(error) ? error.code : 'IO';
    ctx.warn(`state left out of the bundle: ${isDiagError(error) ? error.message : (systemErrorLine(error) ?? oneLine(error))}`);
    return { unreadable: code };
  }
}

function appVersionOf(incident: Record<string, unknown> | undefined): string {
  const version = incident?.appVersion;
  return typeof version === 'string' && version !== '' ? version : 'unknown';
}

/** --out is a directory when it exists as one or ends with a separator; else the bundle's path. */
async function outTarget(ctx: CliContext, common: ResolvedCommon, out: string | undefined): Promise<{ outDir: string } | { outPath: string }> {
  if (out === undefined) return { outDir: dataLayout(common.dataDir).bundlesDir };
  const full = ctx.path(out);
  if (/[\\/]$/.test(out)) return { outDir: full };
  try {
    if ((await fsp.stat(full)).isDirectory()) return { outDir: full };
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw new DiagError('IO', `cannot use --out ${out}: ${errnoCode(error) ?? String(error)}`);
  }
  if (path.extname(full) !== '.zip') throw new DiagError('BAD_USAGE', `--out ${out}: expected a directory or a .zip path`);
  return { outPath: full };
}

/** A one-line progress display on stderr, only on a terminal that draws it and never with --quiet. */
function progressReporter(ctx: CliContext): { update?: (p: BundleProgress) => void; clear: () => void } {
  const stderr = ctx.io.stderr;
  if (!ctx.canDrawProgress()) return { clear: () => undefined };
  let shown = false;
  return {
    update: (p) => {
      shown = true;
      const text = p.phase === 'redact' ? `redacting ${p.done}/${p.total} lines` : p.phase === 'write' ? 'writing bundle' : 'done';
      stderr.write(`\r\x1b[2K${text}`);
    },
    clear: () => {
      if (shown) stderr.write('\r\x1b[2K');
    },
  };
}
