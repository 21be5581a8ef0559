import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { formatTimestamp } from '../render/format.ts';
import { renderTable } from '../render/table.ts';

/** `runledger workflow schedules` and `runledger workflow rotate-webhook-secret`. */
export function addTriggerCommands(workflow: Command, ctx: CliContext): void {
  workflow
    .command('schedules')
    .description('List schedule triggers, soonest first: their next run times and what became of the last one')
    .option('--workflow <id>', "only this workflow's schedules")
    .option('--json', 'print JSON')
    .action(async (flags: { workflow?: string; json?: boolean }) => {
      const items = await ctx.client().listSchedules(flags.workflow);
      if (flags.json) return ctx.printJson(items);
      if (items.length === 0) return ctx.print('No schedules; a workflow gets one with a "triggers:" entry that has "cron:".');
      ctx.print(
        renderTable(
          ['WORKFLOW', 'TRIGGER', 'CRON', 'TIME ZONE', 'NEXT RUN', 'THEN', 'LAST'],
          items.map((s) => [
            s.workflowId,
            s.triggerId,
            s.cron,
            s.timezone,
            s.nextRuns[0] ? formatTimestamp(s.nextRuns[0]) : 'never',
            s.nextRuns[1] ? formatTimestamp(s.nextRuns[1]) : '',
            s.lastFire ? `${s.lastFire.status} ${formatTimestamp(s.lastFire.dueAt ?? s.lastFire.recordedAt)}` : '',
          ]),
          ctx.colors,
        ),
      );
    });

  workflow
    .command('rotate-webhook-secret')
    .description("Replace a webhook trigger's signing secret and print the new one (shown this once; the old one stops working)")
    .argument('<workflow>', 'workflow id')
    .argument('<trigger>', 'webhook trigger id')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, triggerId: string, flags: { json?: boolean }) => {
      const rotated = await ctx.client().rotateWebhookSecret(workflowId, triggerId);
      if (flags.json) return ctx.printJson(rotated);
      ctx.print(`webhook ${rotated.triggerId} of ${rotated.workflowId}: new secret (shown once, keep it now)`);
      ctx.print(`  POST ${rotated.url}`);
      ctx.print(`  secret ${rotated.secret}`);
    });
}
