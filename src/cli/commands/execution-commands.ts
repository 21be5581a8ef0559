import { InvalidArgumentError, type Command } from 'commander';
import { parseDurationMs } from '../../domain/duration.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { renderExecutionList, renderShares } from '../render/execution-view.ts';
import { resolveStep } from '../step-ref.ts';
import { colourStatus } from '../render/format.ts';
import { addInspectCommand } from './inspect-command.ts';
import { addLogsCommand } from './log-commands.ts';
import { addRecordCommands } from './record-commands.ts';

interface ListFlags {
  status?: string;
  workflow?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
  keyword?: string;
  procedure?: string;
  executor?: string;
  deleted?: boolean;
  input: Record<string, string>;
  count?: boolean;
  json?: boolean;
}

interface ShareFlags {
  private?: boolean;
  user: string[];
  group: string[];
  json?: boolean;
}

/**
 * `--since 1d` means "a day ago", as for `execution logs --since`; an ISO-8601 date or timestamp is
 * passed on as it is. Anything else is refused here, naming the flag.
 */
const pointInTime = (value: string): string => {
  const ago = parseDurationMs(value);
  if (ago !== undefined) return new Date(Date.now() - ago).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim()) && !Number.isNaN(Date.parse(value))) return value.trim();
  throw new InvalidArgumentError('expected a duration (30s, 5m, 2h, 1d) or an ISO-8601 date or timestamp');
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--input server=web-01` (repeatable) → `{ server: 'web-01' }`; a name the server cannot filter by is refused here. */
const collectInput = (value: string, previous: Record<string, string>): Record<string, string> => {
  const m = /^([a-z][a-z0-9_]*)=(.*)$/s.exec(value);
  if (!m) throw new InvalidArgumentError(`expected NAME=VALUE with NAME matching [a-z][a-z0-9_]*, not "${value}"`);
  return { ...previous, [m[1]!]: m[2]! };
};

/** `runledger execution list | inspect | logs | document | update | delete | restore | cancel | complete-step | share | shares`. */
export function registerExecutionCommands(program: Command, ctx: CliContext, parsers: { positiveInt: (v: string) => number }): void {
  const execution = program.command('execution').description('Execution history, inspection and control');

  execution
    .command('list')
    .description('Executions, newest first')
    .option('--status <statuses>', 'comma-separated statuses (pending, running, waiting, completed, failed, cancelled, timed_out)')
    .option('--workflow <id>', 'only this workflow')
    .option('--since <when>', 'created in the last 30s, 5m, 2h, 1d…, or at or after an ISO-8601 date or timestamp', pointInTime)
    .option('--until <when>', 'created before: 30s, 5m, 2h, 1d… ago, or an ISO-8601 date or timestamp', pointInTime)
    .option('--limit <n>', 'page size (1-200, default 50)', parsers.positiveInt)
    .option('--cursor <cursor>', 'the next page, as printed at the end of the previous one')
    .option('--keyword <text>', 'title or notes contain this text (any case)')
    .option('--procedure <procedure>', 'the workflow id, or part of the workflow name (any case)')
    .option('--executor <user>', 'started by this user (username or user id)')
    .option('--deleted', 'deleted executions instead of live ones (admins)')
    .option('--input <name=value>', 'the input NAME was VALUE (repeatable: all must match)', collectInput, {})
    .option('--count', 'print only how many executions match (every page)')
    .option('--json', 'print JSON ({ items, nextCursor }; with --count, { count })')
    .action(async (flags: ListFlags) => {
      const filter = {
        status: flags.status
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        workflow: flags.workflow,
        from: flags.since,
        to: flags.until,
        keyword: flags.keyword,
        procedure: flags.procedure,
        executor: flags.executor,
        deleted: flags.deleted,
        inputs: flags.input,
      };
      if (flags.count) {
        if (flags.limit !== undefined || flags.cursor !== undefined)
          throw new CliError('--count counts every page: it takes no --limit or --cursor');
        const count = await ctx.client().countExecutions(filter);
        return flags.json ? ctx.printJson({ count }) : ctx.print(String(count));
      }
      const page = await ctx.client().listExecutions({ ...filter, limit: flags.limit, cursor: flags.cursor });
      if (flags.json) return ctx.printJson(page);
      ctx.print(page.items.length === 0 ? 'No executions match.' : renderExecutionList(page.items, ctx.colors));
      if (page.nextCursor) ctx.print(ctx.colors.dim(`More: runledger execution list --cursor ${page.nextCursor} (with the same filters)`));
    });

  addInspectCommand(execution, ctx);
  addLogsCommand(execution, ctx);
  addRecordCommands(execution, ctx);

  execution
    .command('cancel')
    .description('Cancel a running execution; running processes are killed')
    .argument('<id>', 'execution id')
    .option('--reason <reason>', 'why (recorded in the audit trail)')
    .option('--json', 'print the execution as JSON')
    .action(async (id: string, flags: { reason?: string; json?: boolean }) => {
      const ended = await ctx.client().cancelExecution(id, flags.reason);
      if (flags.json) return ctx.printJson(ended);
      ctx.print(`execution ${ended.id}: ${colourStatus(ended.status, ctx.colors)}`);
    });

  execution
    .command('complete-step')
    .description('Complete a waiting manual step, as succeeded or failed')
    .argument('<id>', 'execution id')
    .argument('<step>', 'the task run id, or the task id (its waiting task run is used)')
    .requiredOption('--status <status>', 'succeeded or failed')
    .option('--notes <notes>', 'what was done, what was seen')
    .option('--json', 'print the task run as JSON')
    .action(async (id: string, step: string, flags: { status: string; notes?: string; json?: boolean }) => {
      if (flags.status !== 'succeeded' && flags.status !== 'failed')
        throw new CliError(`--status must be succeeded or failed, not "${flags.status}"`);
      const client = ctx.client();
      const taskRunId = await resolveStep(client, id, step, { waiting: true });
      const run = await client.completeStep(id, taskRunId, { status: flags.status, notes: flags.notes });
      if (flags.json) return ctx.printJson(run);
      ctx.print(`step ${run.taskId} (task run ${run.id}): ${colourStatus(run.status, ctx.colors)}`);
    });

  execution
    .command('share')
    .description('Share an execution, read only, with exactly these users and groups (replacing earlier shares), or make it private')
    .argument('<id>', 'execution id')
    .option('--user <user>', 'a username or user id (repeatable)', collect, [])
    .option('--group <group>', 'a group name or id (repeatable)', collect, [])
    .option('--private', 'stop sharing: only the owner and admins may read it')
    .option('--json', 'print the shares as JSON')
    .action(async (id: string, flags: ShareFlags) => {
      const named = flags.user.length + flags.group.length > 0;
      if (flags.private && named) throw new CliError('--private takes no --user or --group: it removes every share');
      if (!flags.private && !named) throw new CliError('name whom to share with (--user U, --group G, repeatable), or pass --private');
      const shares = await ctx
        .client()
        .setShares(id, flags.private ? { scope: 'private' } : { scope: 'shared', users: flags.user, groups: flags.group });
      if (flags.json) return ctx.printJson(shares);
      ctx.print(renderShares(shares, ctx.colors));
    });

  execution
    .command('shares')
    .description('Whom an execution is shared with')
    .argument('<id>', 'execution id')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const shares = await ctx.client().getShares(id);
      if (flags.json) return ctx.printJson(shares);
      ctx.print(renderShares(shares, ctx.colors));
    });
}
