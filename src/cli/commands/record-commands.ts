import path from 'node:path';
import { Option, type Command } from 'commander';
import type { ExecutionChanges } from '../../client/record-types.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { saveDownload } from '../download-file.ts';
import { colourStatus, formatBytes, formatTimestamp } from '../render/format.ts';

interface UpdateFlags {
  title?: string;
  notes?: string;
  complete?: boolean;
  fail?: boolean;
  json?: boolean;
}

/**
 * Adds the human-run record commands to `execution`: `document`, `update` (title, notes, complete or
 * fail), `delete` (soft) and `restore` (admins).
 */
export function addRecordCommands(execution: Command, ctx: CliContext): void {
  execution
    .command('document')
    .alias('doc')
    .description("The procedure document with this execution's input values filled in (secret values masked)")
    .argument('<id>', 'execution id')
    .option('--html', 'print the sanitised HTML instead of the Markdown')
    .option('--json', 'print JSON ({ workflowId, workflowVersion, markdown, html })')
    .action(async (id: string, flags: { html?: boolean; json?: boolean }) => {
      const document = await ctx.client().records.getDocument(id);
      if (flags.json) return ctx.printJson(document);
      const text = flags.html ? document.html : document.markdown;
      ctx.print(text.trim() === '' ? ctx.colors.dim('(the procedure has no document)') : text.replace(/\n+$/, ''));
    });

  execution
    .command('export')
    .description(
      'Download one execution as one archive (.tar.gz): the record, its logs, its audit chain with the signed checkpoint covering it, its evidence files; check it with "runledger audit verify --archive FILE"',
    )
    .argument('<id>', 'execution id')
    .option('-o, --output <file>', "where to save it (a directory: the archive's name in there)")
    .option('--force', 'overwrite the file if it exists')
    .option('--json', 'print JSON ({ id, fileName, sizeBytes, sha256, path })')
    .action(async (id: string, flags: { output?: string; force?: boolean; json?: boolean }) => {
      const download = await ctx.client().exportExecution(id);
      const saved = await saveDownload(download, { id, output: flags.output, force: Boolean(flags.force), cwd: ctx.cwd });
      if (flags.json)
        return ctx.printJson({ id, fileName: saved.fileName, sizeBytes: saved.sizeBytes, sha256: saved.sha256, path: saved.path });
      ctx.print(`saved ${path.relative(ctx.cwd, saved.path) || saved.path} (${formatBytes(saved.sizeBytes)}, sha256 ${saved.sha256})`);
    });

  execution
    .command('update')
    .description('Change the title or notes of an execution (a draft: the status stays), or end a human-run record')
    .argument('<id>', 'execution id')
    .option('--title <title>', 'the new title')
    .option('--notes <notes>', "the record's overall notes (replacing them); with --fail, the reason")
    .addOption(new Option('--complete', 'complete the record (every step must have ended)').conflicts('fail'))
    .addOption(new Option('--fail', 'mark the record failed: open steps are cancelled, --notes says why'))
    .option('--json', 'print the execution as JSON')
    .action(async (id: string, flags: UpdateFlags) => {
      const changes: ExecutionChanges = { title: flags.title, notes: flags.notes };
      if (flags.complete) changes.status = 'completed';
      if (flags.fail) changes.status = 'failed';
      if (changes.title === undefined && changes.notes === undefined && changes.status === undefined)
        throw new CliError('nothing to change: give --title, --notes, --complete or --fail');
      const updated = await ctx.client().records.update(id, changes);
      if (flags.json) return ctx.printJson(updated);
      const status = colourStatus(updated.status, ctx.colors);
      ctx.print(changes.status ? `execution ${updated.id}: ${status}` : `execution ${updated.id}: saved (${status})`);
    });

  execution
    .command('delete')
    .description('Delete an ended execution (soft: an admin can restore it within the grace period)')
    .argument('<id>', 'execution id')
    .option('--json', 'print JSON ({ id, deletedAt })')
    .action(async (id: string, flags: { json?: boolean }) => {
      const deleted = await ctx.client().records.delete(id);
      if (flags.json) return ctx.printJson(deleted);
      ctx.print(`execution ${deleted.id}: deleted at ${formatTimestamp(deleted.deletedAt)}`);
    });

  execution
    .command('restore')
    .description('Bring back a deleted execution within the grace period (admins)')
    .argument('<id>', 'execution id (see "runledger execution list --deleted")')
    .option('--json', 'print the execution as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const restored = await ctx.client().records.restore(id);
      if (flags.json) return ctx.printJson(restored);
      ctx.print(`execution ${restored.id}: restored (${colourStatus(restored.status, ctx.colors)})`);
    });
}
