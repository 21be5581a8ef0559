import type { Command } from 'commander';
import type { ExecutionDetail } from '../../client/types.ts';
import type { CliContext } from '../cli-context.ts';
import { definitionFormat, readUserFile, runInputSets } from '../definition-file.ts';
import { CliError } from '../cli-error.ts';
import { renderTaskRuns } from '../render/execution-view.ts';
import { colourStatus, formatDuration, formatTimestamp } from '../render/format.ts';
import { renderTable } from '../render/table.ts';
import { addInspectCommand } from './inspect-command.ts';
import { addLogsCommand } from './log-commands.ts';
import { addTriggerCommands } from './trigger-commands.ts';

interface RunFlags {
  input: string[];
  inputsFile?: string;
  title?: string;
  correlationId?: string;
  version?: number;
  wait?: boolean;
  pollInterval: number;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `runledger workflow apply | list | run | schedules | rotate-webhook-secret | execution logs`. */
export function registerWorkflowCommands(program: Command, ctx: CliContext, parsers: { positiveInt: (v: string) => number }): void {
  const workflow = program.command('workflow').description('Workflow definitions and runs');

  workflow
    .command('apply')
    .description('Create a workflow, or a new version of it, from a YAML or JSON file (idempotent)')
    .argument('<file>', 'definition file (.yaml, .yml or .json; otherwise detected from the content)')
    .option('--json', 'print the applied workflow as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const source = readUserFile(file, ctx.cwd);
      const result = await ctx.client().applyWorkflow(source, definitionFormat(file, source));
      if (flags.json) return ctx.printJson(result);
      const what = result.created
        ? `created version ${result.version}`
        : result.changed
          ? `new version ${result.version}`
          : `unchanged (version ${result.version})`;
      ctx.print(`workflow ${result.id}: ${what}`);
      for (const [trigger, secret] of Object.entries(result.webhookSecrets ?? {})) {
        ctx.print(`webhook ${trigger}: POST /v1/workflows/${result.id}/webhooks/${trigger}, secret (shown once, keep it now):`);
        ctx.print(`  ${secret}`);
      }
    });

  workflow
    .command('list')
    .description('List workflows')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const items = await ctx.client().listWorkflows();
      if (flags.json) return ctx.printJson(items);
      if (items.length === 0) return ctx.print('No workflows yet; add one with "runledger workflow apply FILE".');
      ctx.print(
        renderTable(
          ['ID', 'NAME', 'LATEST VERSION', 'UPDATED'],
          items.map((w) => [w.id, w.name, String(w.latestVersion), formatTimestamp(w.updatedAt)]),
          ctx.colors,
        ),
      );
    });

  workflow
    .command('run')
    .description(
      'Start an execution; prints its id (with --wait, waits for the end: exit 0 only when it completed). With an --inputs-file list, one execution per input set (one bad set starts none); prints one id per line',
    )
    .argument('<id>', 'workflow id')
    .option(
      '-i, --input <key=value>',
      'an input value, sent as a string and converted by the server to the declared type (repeatable)',
      collect,
      [],
    )
    .option(
      '--inputs-file <file>',
      'inputs from a JSON or YAML mapping; a JSON array, YAML list or JSON lines of mappings starts one execution per item (at most 1000); --input values override each',
    )
    .option('--title <title>', 'a title for this execution')
    .option('--correlation-id <id>', 'an id from another system to find this execution by')
    .option('--version <n>', 'run this version instead of the latest', parsers.positiveInt)
    .option('-w, --wait', 'wait for the execution to end, then print its outcome')
    .option('--poll-interval <ms>', 'how often --wait asks the server', parsers.positiveInt, 500)
    .option('--json', 'print JSON (with --wait: the whole execution)')
    .action(async (id: string, flags: RunFlags) => {
      const sets = runInputSets(flags.input, flags.inputsFile, ctx.cwd);
      const client = ctx.client();
      if (sets.kind === 'many') {
        if (flags.wait) throw new CliError('--wait follows one execution; it does not go with a list of input sets');
        const runs = sets.sets.map((inputs) => ({ inputs, title: flags.title, correlationId: flags.correlationId }));
        const startedMany = await client.runWorkflowMany(id, runs, { version: flags.version, trigger: 'cli' });
        return flags.json ? ctx.printJson(startedMany) : ctx.print(startedMany.map((s) => s.executionId).join('\n'));
      }
      const started = await client.runWorkflow(
        id,
        { inputs: sets.inputs, title: flags.title, correlationId: flags.correlationId, version: flags.version },
        { trigger: 'cli' },
      );
      if (!flags.wait) return flags.json ? ctx.printJson(started) : ctx.print(started.executionId);

      if (!flags.json) ctx.print(started.executionId);
      const execution = await client.waitForExecution(started.executionId, { pollMs: flags.pollInterval });
      ctx.exitCode = execution.status === 'completed' ? 0 : 1;
      if (flags.json) return ctx.printJson(execution);
      ctx.print(outcomeLine(execution, ctx));
      ctx.print(renderTaskRuns(execution.taskRuns, ctx.colors));
    });

  addTriggerCommands(workflow, ctx);

  // The executions of workflows, where people look for them; the same commands as `runledger execution …`.
  const execution = workflow
    .command('execution')
    .description('Executions of workflows (the same as "runledger execution …"): inspect, logs');
  addInspectCommand(execution, ctx);
  addLogsCommand(execution, ctx);
}

function outcomeLine(execution: ExecutionDetail, ctx: CliContext): string {
  const line = `${colourStatus(execution.status, ctx.colors)} in ${formatDuration(execution.durationMs)}`;
  return execution.error ? `${line}: ${execution.error.message}` : line;
}
