import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { renderExecutionAudit } from '../render/audit-view.ts';
import { renderInspection } from '../render/execution-view.ts';
import { renderRecordSteps } from '../render/record-view.ts';
import { recordSteps } from '../record-steps.ts';
import { renderTimeline } from '../render/timeline-view.ts';

interface InspectFlags {
  showInputs?: boolean;
  timeline?: boolean;
  audit?: boolean;
  truncate: boolean;
  json?: boolean;
}

/**
 * Adds `inspect ID` (alias `show`) to `parent`: `runledger execution inspect` and
 * `runledger workflow execution inspect` are the same command, built here once.
 *
 * It makes one request for the execution with every task run, and with --audit two more (the audit
 * chain and every step result of the execution at once): three at most, however many tasks ran.
 */
export function addInspectCommand(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .alias('show')
    .description('An execution: overview, every task run, the outputs and errors of those that ended')
    .argument('<id>', 'execution id')
    .option('--show-inputs', 'list every input with its value (secret inputs are masked)')
    .option('--timeline', 'draw the task runs on one time axis, showing which ran at the same time')
    .option('--audit', 'also its audit trail: every event, whether the chain verifies, and each step result')
    .option('--no-truncate', 'print long values whole instead of cutting them to one line')
    .option('--json', 'print everything as JSON (a human-run record also `steps`; with --audit, also `audit` and `stepAudit`)')
    .action(async (id: string, flags: InspectFlags) => {
      const client = ctx.client();
      const found = await client.getExecution(id);
      // A human-run record is read as its steps: the definition says their order and what each asks,
      // the attachments are the evidence. Two more requests, for records only.
      const [audit, steps, recordedSteps] = await Promise.all([
        flags.audit ? client.audit.getExecution(id) : undefined,
        flags.audit ? client.audit.getExecutionStepResults(id) : undefined,
        found.trigger === 'manual'
          ? Promise.all([client.getWorkflowVersion(found.workflowId, found.workflowVersion), client.attachments.list(id)]).then(
              ([version, attachments]) => recordSteps(version.definition, found.taskRuns, attachments),
            )
          : undefined,
      ]);
      // Keyed by task run id, in task-run order, like the per-task-run route answers.
      const stepAudit = steps && Object.fromEntries(found.taskRuns.map((r) => [r.id, steps.filter((s) => s.taskRunId === r.id)]));
      // A chain that does not verify is the outcome, printed, and exit code 1 (like `audit verify`).
      if (audit && !audit.verification.ok) ctx.exitCode = 1;
      if (flags.json)
        return ctx.printJson({ ...found, ...(recordedSteps ? { steps: recordedSteps } : {}), ...(audit ? { audit, stepAudit } : {}) });

      const options = { showInputs: Boolean(flags.showInputs), truncate: flags.truncate, now: Date.now() };
      const parts = [renderInspection(found, ctx.colors, options, recordedSteps && renderRecordSteps(recordedSteps, ctx.colors))];
      if (flags.timeline) parts.push(`${ctx.colors.bold('Timeline')}\n${renderTimeline(found.taskRuns, options.now, ctx.colors)}`);
      if (audit && stepAudit) parts.push(renderExecutionAudit(audit, found.taskRuns, stepAudit, ctx.colors));
      ctx.print(parts.join('\n\n'));
    });
}
