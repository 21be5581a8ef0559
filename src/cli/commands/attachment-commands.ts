import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { saveDownload } from '../download-file.ts';
import { formatBytes, formatTimestamp } from '../render/format.ts';
import { renderAttachmentCheck, renderAttachmentList } from '../render/record-view.ts';

interface GetFlags {
  output?: string;
  force?: boolean;
  json?: boolean;
}

/** `runledger attachment list | get | url | delete | check` (also spelled `attachments`): evidence files. */
export function registerAttachmentCommands(program: Command, ctx: CliContext): void {
  const attachment = program
    .command('attachment')
    .alias('attachments')
    .description('Evidence files attached to steps: list, download, share a link, delete, check storage');

  attachment
    .command('list')
    .description("An execution's attachments, oldest first")
    .argument('<execution>', 'execution id')
    .option('--json', 'print JSON (an array of attachments)')
    .action(async (executionId: string, flags: { json?: boolean }) => {
      const client = ctx.client();
      const [items, execution] = await Promise.all([client.attachments.list(executionId), client.getExecution(executionId)]);
      if (flags.json) return ctx.printJson(items);
      if (items.length === 0) return ctx.print(`No attachments; add one with "runledger step attach ${executionId} STEP FILE".`);
      const taskOf = new Map(execution.taskRuns.map((r) => [r.id, r.attempt > 1 ? `${r.taskId} #${r.attempt}` : r.taskId]));
      ctx.print(renderAttachmentList(items, (taskRunId) => taskOf.get(taskRunId) ?? taskRunId, ctx.colors));
    });

  attachment
    .command('get')
    .description('Download an attachment (by default to its file name in the current directory; never overwriting one without --force)')
    .argument('<id>', 'attachment id')
    .option('-o, --output <file>', 'where to save it (a directory: its file name in there)')
    .option('--force', 'overwrite the file if it exists')
    .option('--json', 'print JSON ({ id, fileName, mediaType, sizeBytes, sha256, path })')
    .action(async (id: string, flags: GetFlags) => {
      const download = await ctx.client().attachments.download(id);
      const saved = await saveDownload(download, { id, output: flags.output, force: Boolean(flags.force), cwd: ctx.cwd });
      if (flags.json) return ctx.printJson({ id, ...saved });
      ctx.print(`saved ${path.relative(ctx.cwd, saved.path) || saved.path} (${formatBytes(saved.sizeBytes)}, sha256 ${saved.sha256})`);
    });

  attachment
    .command('url')
    .description('A link to download an attachment: pre-signed and expiring on S3 storage, the API path on local storage')
    .argument('<id>', 'attachment id')
    .option('--json', 'print JSON ({ url, expiresAt })')
    .action(async (id: string, flags: { json?: boolean }) => {
      const client = ctx.client();
      const found = await client.attachments.getUrl(id);
      // a pre-signed URL is printed exactly as issued (re-encoding it could break its signature)
      const url = /^https?:\/\//i.test(found.url) ? found.url : new URL(found.url, `${client.server}/`).toString();
      if (flags.json) return ctx.printJson({ url, expiresAt: found.expiresAt });
      ctx.print(url);
      if (found.expiresAt) ctx.note(ctx.colors.dim(`expires ${formatTimestamp(found.expiresAt)}`));
    });

  attachment
    .command('delete')
    .description('Delete an attachment of a record still open (its bytes are purged after the grace period)')
    .argument('<id>', 'attachment id')
    .option('--json', 'print JSON ({ id, deletedAt })')
    .action(async (id: string, flags: { json?: boolean }) => {
      const deleted = await ctx.client().attachments.delete(id);
      if (flags.json) return ctx.printJson(deleted);
      ctx.print(`attachment ${deleted.id}: deleted at ${formatTimestamp(deleted.deletedAt)}`);
    });

  attachment
    .command('check')
    .description('Admins: find attachments whose file is missing or altered (sha256) and files without an attachment; exit 1 if any')
    .option('--clean', 'also remove the temporary files of uploads that began over an hour ago and never finished')
    .option('--json', 'print JSON ({ checked, missing, altered, orphans, staleUploads, staleUploadsRemoved, ok })')
    .action(async (flags: { json?: boolean; clean?: boolean }) => {
      const check = await ctx.client().attachments.check({ clean: flags.clean === true });
      // Problems are the outcome, printed, and exit code 1 (like `audit verify`).
      if (!check.ok) ctx.exitCode = 1;
      if (flags.json) return ctx.printJson(check);
      ctx.print(renderAttachmentCheck(check, ctx.colors));
    });
}
