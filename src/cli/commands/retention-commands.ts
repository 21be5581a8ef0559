import { InvalidArgumentError, type Command } from 'commander';
import type { CleanupStatus } from '../../client/types.ts';
import type { CliContext } from '../cli-context.ts';
import { progressLine, withProgress } from '../progress.ts';
import { renderCleanupReport, renderRetentionStats } from '../render/retention-view.ts';

const CLEANUP_STATUSES: readonly CleanupStatus[] = ['completed', 'failed', 'cancelled', 'timed_out'];

interface CleanupFlags {
  days?: number;
  status?: CleanupStatus;
  dryRun?: boolean;
  json?: boolean;
}

function parseCleanupStatus(value: string): CleanupStatus {
  const status = value.trim().toLowerCase();
  if (!(CLEANUP_STATUSES as readonly string[]).includes(status))
    throw new InvalidArgumentError(`expected one of ${CLEANUP_STATUSES.join(', ')}`);
  return status as CleanupStatus;
}

/** `--days 0` is "everything that has ended", what people try first with --dry-run. */
function parseDays(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 36500)
    throw new InvalidArgumentError('expected a whole number of days, 0 to 36500');
  return n;
}

/** `runledger logs stats | cleanup`: the store's size and the retention cleanup (admins). */
export function registerRetentionCommands(program: Command, ctx: CliContext): void {
  const logs = program.command('logs').description('Store size and retention cleanup of log lines and audit chains (admins)');

  logs
    .command('stats')
    .description('The retention policy, rows and size of each table, executions by status, the oldest records')
    .option('--json', 'print JSON ({ policy, tables, executionsByStatus, oldest })')
    .action(async (flags: { json?: boolean }) => {
      const stats = await ctx.client().admin.retentionStats();
      if (flags.json) return ctx.printJson(stats);
      ctx.print(renderRetentionStats(stats, ctx.colors));
    });

  logs
    .command('cleanup')
    .description('Delete the log lines (and purge the audit chains) of executions that ended before the retention cutoffs')
    .option(
      '--days <n>',
      "delete log lines of executions that ended more than N days ago; 0: every execution that has ended (default: the server's log retention)",
      parseDays,
    )
    .option('--status <status>', `only executions that ended ${CLEANUP_STATUSES.join(', ')}`, parseCleanupStatus)
    .option('--dry-run', 'report what would be deleted; delete nothing')
    .option('--json', 'print JSON ({ dryRun, logLines: { before, deleted }, audit: { before, chains, events } })')
    .action(async (flags: CleanupFlags) => {
      // One request that may take a while on a large store: say so on a terminal, on stderr.
      const report = await withProgress(progressLine(ctx, flags.json), flags.dryRun ? 'counting…' : 'cleaning up…', () =>
        ctx.client().admin.cleanup({ olderThanDays: flags.days, status: flags.status, dryRun: flags.dryRun ?? false }),
      );
      if (flags.json) return ctx.printJson(report);
      ctx.print(renderCleanupReport(report, ctx.colors));
    });
}
