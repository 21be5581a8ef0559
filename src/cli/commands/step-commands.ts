import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { TaskRunView } from '../../client/types.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { progressBar, progressLine, withProgress } from '../progress.ts';
import { colourStatus } from '../render/format.ts';
import { describeAttachment } from '../render/record-view.ts';
import { resolveStep } from '../step-ref.ts';

const STEP_HELP = 'the task run id, or the task id (its latest attempt)';

/** `runledger step complete | fail | notes | add | attach`: what a person does on the steps of a record. */
export function registerStepCommands(program: Command, ctx: CliContext): void {
  const step = program.command('step').description('The steps of a human-run record: complete, fail, notes, add, attach evidence');

  for (const [name, status] of [
    ['complete', 'succeeded'],
    ['fail', 'failed'],
  ] as const) {
    step
      .command(name)
      .description(`Mark a waiting step ${status}`)
      .argument('<execution>', 'execution id')
      .argument('<step>', STEP_HELP)
      .option('--notes <notes>', 'what was done, what was seen')
      .option('--json', 'print the task run as JSON')
      .action(async (executionId: string, ref: string, flags: { notes?: string; json?: boolean }) => {
        const client = ctx.client();
        const taskRunId = await resolveStep(client, executionId, ref, { waiting: true });
        const run = await client.completeStep(executionId, taskRunId, { status, notes: flags.notes });
        printStep(ctx, run, flags.json);
      });
  }

  step
    .command('notes')
    .description("Replace a step's notes (until the record ends)")
    .argument('<execution>', 'execution id')
    .argument('<step>', STEP_HELP)
    .requiredOption('--notes <notes>', 'the notes')
    .option('--json', 'print the task run as JSON')
    .action(async (executionId: string, ref: string, flags: { notes: string; json?: boolean }) => {
      const client = ctx.client();
      const run = await client.records.updateStepNotes(executionId, await resolveStep(client, executionId, ref), flags.notes);
      printStep(ctx, run, flags.json, 'notes saved');
    });

  step
    .command('add')
    .description('Add a step to a record (it waits for a person, like a manual step)')
    .argument('<execution>', 'execution id')
    .requiredOption('--description <text>', 'what the step is')
    .option('--json', 'print the task run as JSON')
    .action(async (executionId: string, flags: { description: string; json?: boolean }) => {
      const run = await ctx.client().records.addStep(executionId, flags.description);
      printStep(ctx, run, flags.json);
    });

  step
    .command('attach')
    .description('Attach a file to a step as evidence (streamed; a progress bar on a terminal)')
    .argument('<execution>', 'execution id')
    .argument('<step>', STEP_HELP)
    .argument('<file>', 'the file')
    .option('--json', 'print the attachment as JSON')
    .action(async (executionId: string, ref: string, file: string, flags: { json?: boolean }) => {
      const blob = await openFile(file, ctx.cwd);
      const fileName = path.basename(file);
      const client = ctx.client();
      const taskRunId = await resolveStep(client, executionId, ref);
      const attachment = await withProgress(progressLine(ctx, flags.json), progressBar(fileName, 0, blob.size), (line) =>
        client.attachments.upload(executionId, taskRunId, {
          file: blob,
          fileName,
          onProgress: (p) => line.show(progressBar(fileName, p.sentBytes, p.totalBytes)),
        }),
      );
      if (flags.json) return ctx.printJson(attachment);
      ctx.print(describeAttachment(attachment));
    });
}

function printStep(ctx: CliContext, run: TaskRunView, json: boolean | undefined, what?: string): void {
  if (json) return ctx.printJson(run);
  const status = colourStatus(run.status, ctx.colors);
  ctx.print(`step ${run.taskId} (task run ${run.id}): ${what ? `${what} (${status})` : status}`);
}

/** The file as a Blob backed by the disk (never read whole into memory); a missing file is a one-line user error. */
async function openFile(file: string, cwd: string): Promise<Blob> {
  const resolved = path.resolve(cwd, file);
  try {
    if (fs.statSync(resolved).isDirectory()) throw new CliError(`${file}: is a directory`);
    // openAsBlob reads nothing yet: check now that the file can be read, not halfway through the upload
    fs.accessSync(resolved, fs.constants.R_OK);
    return await fs.openAsBlob(resolved);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EACCES') throw new CliError(`${file}: permission denied`);
    throw e;
  }
}
