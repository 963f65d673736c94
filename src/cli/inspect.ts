import type { Command } from 'commander';
import { inspectBundle, type InspectResult } from '../bundle/inspect.js';
import { redactionContextFrom } from '../bundle/redaction-context.js';
import { BUNDLE_ENTRIES, type BundleManifest } from '../bundle/manifest.js';
import { ExitCode } from '../errors.js';
import { percentile } from '../state/startup-metrics.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

/**
 * `codex-diag inspect BUNDLE` (docs/CLI.md): verifies a bundle and summarises it.
 * `--json` prints {ok, manifest, problems}. Every problem is listed on stderr and the exit code is
 * 2 when there is any; a missing file is exit 2 too.
 */
export function registerInspect(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('inspect <bundle>')
      .description('verify a bundle (schema, checksums, entry names, sizes, the minidump scrubbed) and summarise it'),
  ).action(
    action(ctx, setExit, async (bundle: string, options: CommonOptions) => {
      const common = ctx.resolve(options);
      const file = ctx.path(bundle);
      // A scrubbed minidump must not hold this user's home dir or name.
      const result = await inspectBundle(file, { identity: redactionContextFrom(ctx.io) });
      if (common.json) {
        ctx.json({ ok: result.ok, manifest: result.manifest ?? result.rawManifest, problems: result.problems });
      } else {
        ctx.out(summary(file, result));
      }
      for (const problem of result.problems) ctx.io.stderr.write(`codex-diag: ${bundle}: ${problem}\n`);
      return result.ok ? ExitCode.ok : ExitCode.badInput;
    }),
  );
}

/** The readable summary: what a support engineer wants to know before opening anything. */
export function summary(file: string, result: InspectResult): string {
  const out: string[] = [`bundle     ${file}`];
  out.push(`verdict    ${result.ok ? 'ok: manifest, checksums, names and sizes verified' : `${result.problems.length} problem(s), listed on stderr`}`);
  const m = result.manifest;
  if (!m) return out.join('\n');
  out.push(`id         ${m.bundleId}`, `created    ${m.createdAt}`, `app        ${m.app.name} ${m.app.version} on ${m.platform.os} ${m.platform.arch} ${m.platform.release}`);
  if (m.incident) {
    out.push(`incident   ${m.incident.kind}${m.incident.title ? `: ${m.incident.title}` : ''}`);
    out.push(`fingerprint ${m.incident.fingerprint}`);
    if (m.incident.occurredAt) out.push(`occurred   ${m.incident.occurredAt}`);
    if (m.incident.suppressedCount) out.push(`suppressed ${m.incident.suppressedCount} earlier occurrence(s) (crash loop)`);
  } else {
    out.push('incident   none (manual export)');
  }
  out.push(`log lines  ${lineSummary(m)}`);
  const redactions = Object.entries(m.redaction).filter(([, n]) => n > 0);
  out.push(`redactions ${redactions.length === 0 ? 'none' : redactions.map(([rule, n]) => `${rule} ${n}`).join(', ')}`);
  if (m.native) out.push(`minidump   ${nativeSummary(m.native)}`);
  out.push(...stateSummary(result.files.get(BUNDLE_ENTRIES.state)));
  return out.join('\n');
}

function nativeSummary(n: NonNullable<BundleManifest['native']>): string {
  const what = `${n.processType ?? 'unknown process'} (${n.crashReason ?? 'no exception'}${n.crashingModule ? ` in ${n.crashingModule}` : ''})`;
  if (!n.path) return `${what} left out: ${n.omitted ?? 'no reason given'}`;
  const scrub = n.scrubbed ? `scrubbed: ${n.matches ?? 0} match(es) in ${n.regions ?? 0} region(s), ${n.bytesScanned ?? 0} bytes scanned` : 'RAW (unscrubbed by the app\'s choice)';
  return `${n.path}: ${what}, ${scrub}`;
}

function lineSummary(m: BundleManifest): string {
  const t = m.truncation;
  const notes: string[] = [];
  if (t.droppedByLineLimit > 0) notes.push(`${t.droppedByLineLimit} older dropped by the ${t.bounds.maxLines}-line bound`);
  if (t.droppedBySizeLimit > 0) notes.push(`${t.droppedBySizeLimit} older dropped by the size bound`);
  if (t.linesCut > 0) notes.push(`${t.linesCut} cut at ${t.bounds.maxLineBytes} bytes`);
  return `${t.linesIncluded} of ${t.linesAvailable}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** Startup metrics and counters from state.json, read defensively: it is whatever the app saved. */
function stateSummary(bytes: Buffer | undefined): string[] {
  if (!bytes) return [];
  let state: unknown;
  try {
    state = JSON.parse(bytes.toString('utf8'));
  } catch {
    return [];
  }
  const get = (...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), state);
  const lines: string[] = [];
  const latency = get('startup', 'renderer_ready_latency_ms');
  const history = get('startup', 'history');
  const parts: string[] = [];
  if (typeof latency === 'number') parts.push(`renderer ready in ${latency} ms`);
  if (Array.isArray(history) && history.length > 0) {
    const samples = history
      .map((h) => (h && typeof h === 'object' ? (h as Record<string, unknown>).renderer_ready_latency_ms : undefined))
      .filter((v): v is number => typeof v === 'number');
    parts.push(`${history.length} launch(es) recorded${samples.length > 0 ? `, p50 ${percentile(samples, 50)} ms, p95 ${percentile(samples, 95)} ms` : ''}`);
  }
  if (parts.length > 0) lines.push(`startup    ${parts.join('; ')}`);
  const restarts = get('app_server', 'restart_count');
  const recoveries = get('renderer', 'recovery_attempts');
  const counters: string[] = [];
  if (typeof restarts === 'number') counters.push(`app-server restarts ${restarts}`);
  if (typeof recoveries === 'number') counters.push(`renderer recoveries ${recoveries}`);
  if (counters.length > 0) lines.push(`counters   ${counters.join(', ')}`);
  return lines;
}
