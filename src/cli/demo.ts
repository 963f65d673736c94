import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { runDemo, type DemoSummary } from '../demo/run-demo.js';
import { action, type CliContext } from './context.js';
import { maskDsns } from './terminal-text.js';

/**
 * `codex-diag demo` (docs/CLI.md): the whole pipeline on a simulated desktop session in a
 * temp dir, then where to look. Progress goes to stderr; the summary to stdout (`--json`: one document).
 * It makes its own log and data dirs, so it offers only the options it honours (no --log-dir/--data-dir/--state).
 */
export function registerDemo(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('run the whole pipeline on a simulated desktop session in a temp dir and say where to look')
    .option('--dir <dir>', 'put the demo files here instead of a new temp dir')
    .option('--dsn <dsn>', 'send the bundles to this Sentry DSN (e.g. a Spotlight sidecar) instead of the built-in local ingest')
    .option('--json', 'machine-readable summary on stdout')
    .option('-q, --quiet', 'no progress messages on stderr')
    .action(
    action(ctx, setExit, async (opts: { dir?: string; dsn?: string; json?: boolean; quiet?: boolean }) => {
      const quiet = ctx.resolve({ quiet: opts.quiet ?? false }).quiet;
      const summary = await runDemo({
        ...(opts.dir ? { dir: ctx.path(opts.dir) } : {}),
        ...(opts.dsn ? { dsn: opts.dsn } : {}),
        say: (line) => ctx.info({ quiet }, line),
      });
      if (opts.json) ctx.json(summary);
      else ctx.out(render(summary));
      return summary.inspected?.ok === false ? 1 : 0;
    }),
  );
}

function render(s: DemoSummary): string {
  const lines: string[] = ['', 'codex-diag demo: what happened'];
  lines.push(`  renderer ready latency: ${s.startup.rendererReadyLatencyMs ?? '-'} ms; renderer reloads: ${s.rendererReloads}`);
  for (const [method, m] of Object.entries(s.metrics.methods)) {
    lines.push(`  sidecar ${method.padEnd(14)} n=${m.count} p50=${m.p50.toFixed(0)}ms p95=${m.p95.toFixed(0)}ms errors=${(m.errorRate * 100).toFixed(0)}%`);
  }
  lines.push('  incidents:');
  for (const i of s.incidents) lines.push(`    ${i.fingerprint}  ${i.title}${i.bundled ? '' : '  (suppressed: crash loop)'}`);
  lines.push('  bundles:');
  for (const b of s.bundles) lines.push(`    ${b.path}`);
  lines.push(`  Sentry (${s.sentry.builtIn ? 'built-in local ingest' : maskDsns(s.sentry.dsn)}): ${s.sentry.sent.length} of ${s.bundles.length} bundles sent`);
  for (const e of s.sentry.events) {
    lines.push(`    [${e.level}] ${e.title}  fingerprint=${JSON.stringify(e.fingerprint)}  breadcrumbs=${e.breadcrumbs}  attachments=${e.attachments.map((a) => a.filename).join(', ')}`);
  }
  if (s.inspected) lines.push(`  inspect: ${s.inspected.ok ? 'ok' : `PROBLEMS: ${s.inspected.problems.join('; ')}`}`);
  lines.push('', 'Look further:');
  if (s.inspected) lines.push(`  codex-diag inspect ${JSON.stringify(s.inspected.path)}`);
  lines.push(`  codex-diag tail -n 20 --log-dir ${JSON.stringify(s.logDir)}`);
  lines.push(`  codex-diag state show --data-dir ${JSON.stringify(s.dataDir)}`);
  lines.push(`  codex-diag export --log-dir ${JSON.stringify(s.logDir)} --data-dir ${JSON.stringify(s.dataDir)}`);
  lines.push('', 'See it: the report of its bundles (one self-contained HTML file, open it in a browser):');
  if (s.report) lines.push(`  ${pathToFileURL(s.report.path).href}`);
  else lines.push(`  codex-diag report --data-dir ${JSON.stringify(s.dataDir)}`);
  lines.push('  Each bundle carries its own report.html; codex-diag report BUNDLE writes it beside the zip.');
  return lines.join('\n');
}
