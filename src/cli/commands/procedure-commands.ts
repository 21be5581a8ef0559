import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { runInputs } from '../definition-file.ts';
import { colourStatus } from '../render/format.ts';
import { renderProcedure, renderSteps } from '../render/record-view.ts';
import { renderFields } from '../render/table.ts';

interface StartFlags {
  input: string[];
  inputsFile?: string;
  title?: string;
  version?: number;
  correlationId?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `runledger procedure show | start`: operational procedures followed by a person, recorded as executions. */
export function registerProcedureCommands(program: Command, ctx: CliContext, parsers: { positiveInt: (v: string) => number }): void {
  const procedure = program.command('procedure').description('Procedures a person follows: start a human-run record of one');

  procedure
    .command('show')
    .description('A procedure: its inputs (the variables form), its steps and its document')
    .argument('<id>', 'workflow id')
    .option('--version <n>', 'this version instead of the latest', parsers.positiveInt)
    .option('--json', 'print JSON ({ workflowId, version, name, doc, inputs, definition, … })')
    .action(async (id: string, flags: { version?: number; json?: boolean }) => {
      const client = ctx.client();
      const version = flags.version ?? (await client.getWorkflow(id)).latestVersion;
      const detail = await client.getWorkflowVersion(id, version);
      if (flags.json) return ctx.printJson(detail);
      ctx.print(renderProcedure(detail, ctx.colors));
    });

  procedure
    .command('start')
    .description('Start a human-run record of a procedure; prints its id first, then its title and steps')
    .argument('<id>', 'workflow id')
    .option('-i, --input <key=value>', 'an input value, converted by the server to the declared type (repeatable)', collect, [])
    .option('--inputs-file <file>', 'inputs from a JSON or YAML mapping; --input values override it')
    .option('--title <title>', 'the record title (default: procedure name, date and the required inputs)')
    .option('--version <n>', 'follow this version instead of the latest', parsers.positiveInt)
    .option('--correlation-id <id>', 'an id from another system (a ticket) to find this record by')
    .option('--json', 'print JSON ({ executionId, status, title })')
    .action(async (id: string, flags: StartFlags) => {
      const inputs = runInputs(flags.input, flags.inputsFile, ctx.cwd);
      const client = ctx.client();
      const started = await client.records.startProcedure(id, {
        inputs,
        title: flags.title,
        version: flags.version,
        correlationId: flags.correlationId,
      });
      if (flags.json) return ctx.printJson(started);

      const execution = await client.getExecution(started.executionId);
      const version = await client.getWorkflowVersion(execution.workflowId, execution.workflowVersion);
      ctx.print(started.executionId);
      ctx.print(
        renderFields(
          [
            ['Title', started.title ?? '-'],
            ['Procedure', `${version.name} (${version.workflowId} version ${version.version})`],
            ['Status', colourStatus(execution.status, ctx.colors)],
          ],
          ctx.colors,
        ),
      );
      ctx.print();
      ctx.print(renderSteps(version.definition, execution.taskRuns, ctx.colors));
      ctx.print();
      ctx.print(
        ctx.colors.dim(
          `Next: runledger execution document ${started.executionId}; runledger step complete ${started.executionId} STEP --notes "…"`,
        ),
      );
    });
}
