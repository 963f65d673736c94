import type { Command } from 'commander';
import { ExitCode, oneLine } from '../errors.js';
import { dataLayout } from '../paths.js';
import { describeDsn, drainOutbox, pendingItems, type DrainProgress, type ItemResult, type OutboxLog } from '../upload/index.js';
import { readPendingHeldBack, type PendingHeldBack } from '../upload/budget.js';
import { dsnSetting } from './dsn-setting.js';
import { action, addCommonOptions, type CliContext, type CommonOptions } from './context.js';

interface UploadOptions extends CommonOptions {
  dsn?: string;
  ignoreRateLimits?: boolean;
}

const HELP_AFTER = `
Sends every queued bundle in <data dir>/outbox now (items waiting on a backoff are tried too),
except while a Sentry rate limit (429) is in force (--ignore-rate-limits sends anyway, for support
use). Sent items are deleted; items Sentry rejects (4xx other than 408/413/429) move to
<data dir>/outbox/failed/ with the reason, and so does a bundle whose event Sentry kept while
dropping its attachments (it is not resent: Sentry would discard the same event id).

Without a DSN (--dsn, $CODEX_DIAG_DSN, then $SENTRY_DSN) nothing is sent: bundles stay local.

Exit codes: 0 nothing left pending (also when the outbox is empty, or items went to failed/),
            4 items remain pending (server down, rate limited, no DSN, another process uploading),
            2 malformed DSN (the message names --dsn or the variable it came from), or a data dir
              that is not a directory,
            1 the outbox cannot be read or written (e.g. a read-only or full disk; the path is named).`;

export function registerUpload(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  addCommonOptions(
    program
      .command('upload')
      .description('drain the outbox to Sentry now')
      .option('--dsn <dsn>', 'Sentry DSN (or $CODEX_DIAG_DSN, then $SENTRY_DSN)')
      .option('--ignore-rate-limits', 'send despite a stored Sentry rate limit (support use)'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(
      action(ctx, setExit, async (options: UploadOptions) => {
        const common = ctx.resolve(options);
        const { outboxDir } = dataLayout(common.dataDir);
        const dsn = dsnSetting(options.dsn, ctx.io.env);
        await ctx.checkDataDir(common);
        const finish = async (summary: { sent: number; failed: number; pending: number }) => {
          // What the delivery budget holds back is not in the outbox: say it, and why.
          const heldBack = await readPendingHeldBack(common.dataDir);
          if (common.json) ctx.json({ ...summary, heldBack });
          else {
            ctx.info(common, `sent ${summary.sent}, failed ${summary.failed}, pending ${summary.pending}`);
            if (heldBack.total > 0) ctx.info(common, describeHeldBack(heldBack));
          }
          return summary.pending > 0 ? ExitCode.uploadIncomplete : ExitCode.ok;
        };
        if (!dsn) {
          const pending = (await pendingItems(outboxDir)).length;
          ctx.info(common, `no Sentry DSN configured (--dsn, CODEX_DIAG_DSN or SENTRY_DSN): nothing sent; ${pending} bundle(s) stay local in ${outboxDir}`);
          return finish({ sent: 0, failed: 0, pending });
        }
        const progress = makeProgress(ctx, common.quiet);
        // The outbox's own warnings (a damaged record rebuilt, an item that failed locally) are one
        // line each; moves to failed/ are reported below with their item and event.
        const log: OutboxLog = (level, message, fields) => {
          if (level !== 'info' && !fields?.movedToFailed) progress.line(message);
        };
        const result = await drainOutbox({ outboxDir, dsn, force: true, ignoreRateLimits: options.ignoreRateLimits === true, onProgress: progress.update, log });
        progress.done();
        if (result.locked) ctx.info(common, 'another codex-diag process is uploading this outbox; the bundles stay queued for it');
        if (result.rateLimitedUntil) {
          ctx.info(common, `Sentry asked to wait (rate limit) until ${new Date(result.rateLimitedUntil).toISOString()}; the bundles stay queued`);
        }
        for (const r of result.results.filter((x) => x.attachmentsDropped)) {
          ctx.info(common, `sent without attachments: ${r.itemId}: ${r.attachmentsDropped}; kept in ${outboxDir}/failed/`);
        }
        for (const r of result.results.filter((x) => x.outcome === 'failed')) {
          ctx.info(common, `failed: ${r.itemId} (event ${r.eventId}): ${r.error ?? r.status}; kept in ${outboxDir}/failed/`);
        }
        if (result.evicted > 0) ctx.info(common, `${result.evicted} old bundle(s) evicted to ${outboxDir}/failed/ (outbox bounds)`);
        const retry = result.results.find((x) => x.outcome === 'retry' && x.status !== 'ELOCAL');
        if (retry) ctx.info(common, `could not reach ${describeDsn(dsn)}: ${retry.error ?? retry.status}; the bundles stay queued`);
        return finish({ sent: result.sent, failed: result.failed, pending: result.pending });
      }),
    );
}

function describeHeldBack(held: PendingHeldBack): string {
  const reasons = Object.entries(held.byReason).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return `held back by the delivery budget: ${held.total} occurrence(s) of ${held.fingerprints.length} fingerprint(s) (${reasons}); each count rides on its fingerprint's next event`;
}

/** A bar on a TTY, one line per item otherwise (so logs of scripted runs say what happened). */
function makeProgress(ctx: CliContext, quiet: boolean) {
  const tty = ctx.canDrawProgress();
  let drewBar = false;
  const describe = (r: ItemResult) => `${r.outcome} ${r.eventId}${r.status !== null ? ` (${r.status})` : ''}`;
  return {
    update: (p: DrainProgress) => {
      if (quiet || p.result.outcome === 'deferred') return;
      if (tty) {
        const width = 20;
        const filled = Math.round(((p.index + 1) / p.total) * width);
        ctx.io.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.index + 1}/${p.total} ${describe(p.result)}\x1b[K`);
        drewBar = true;
      } else {
        ctx.io.stderr.write(`${p.index + 1}/${p.total} ${describe(p.result)}\n`);
      }
    },
    /** A message between progress updates (ends a bar line first). */
    line: (text: string) => {
      if (quiet) return;
      if (drewBar) ctx.io.stderr.write('\n');
      drewBar = false;
      ctx.io.stderr.write(`${oneLine(text)}\n`);
    },
    done: () => {
      if (drewBar) ctx.io.stderr.write('\n');
    },
  };
}
