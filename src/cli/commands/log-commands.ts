import { InvalidArgumentError, type Command } from 'commander';
import type { LogFilter, LogLevel, LogLine } from '../../client/types.ts';
import type { CliContext } from '../cli-context.ts';
import { renderLogLine } from '../render/log-view.ts';

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The page size of `logs` without --follow: the most the server gives at once. */
const PAGE_SIZE = 1000;

interface LogsFlags {
  task?: string;
  level?: LogLevel[];
  since?: string;
  follow?: boolean;
  json?: boolean;
}

/** `--level warn,error` → ['WARN', 'ERROR']; a level the server does not know is refused here. */
function parseLevels(value: string): LogLevel[] {
  const levels = value
    .split(',')
    .map((l) => l.trim().toUpperCase())
    .filter(Boolean);
  const unknown = levels.filter((l) => !(LOG_LEVELS as readonly string[]).includes(l));
  if (levels.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`expected one or more of ${LOG_LEVELS.join(', ')}, comma-separated`);
  return [...new Set(levels)] as LogLevel[];
}

/**
 * Adds `logs ID` to `parent`: `runledger execution logs` and its alias `runledger workflow execution logs`
 * are the same command, built here once.
 */
export function addLogsCommand(parent: Command, ctx: CliContext): Command {
  return parent
    .command('logs')
    .description(
      'The log lines of an execution, in order; with --follow, as they are written until it ends (exit 0 only when it completed)',
    )
    .argument('<id>', 'execution id')
    .option('--task <id>', "only this task's lines (every attempt)")
    .option('--level <levels>', 'only these levels, comma-separated (DEBUG, INFO, WARN, ERROR; any case)', parseLevels)
    .option('--since <when>', 'only lines written in the last 30s, 5m, 2h, 1d…, or at or after an ISO-8601 timestamp')
    .option('-f, --follow', 'keep printing lines as they are written until the execution ends; the exit code is then its outcome')
    .option('--json', 'print one JSON object per line (NDJSON)')
    .action(async (id: string, flags: LogsFlags) => {
      const filter: LogFilter = { task: flags.task, level: flags.level, since: flags.since };
      // NDJSON, or one rendered line (continuation lines included) per log line
      const render = (line: LogLine): string => `${flags.json ? JSON.stringify(line) : renderLogLine(line, ctx.colors)}\n`;
      if (!flags.follow) return ctx.stream(allPages(ctx, id, filter, render));

      const events = await ctx.client().followLogs(id, filter);
      let status: string | undefined;
      await ctx.stream(
        (async function* () {
          for await (const event of events) {
            if (event.type === 'line') yield render(event.line);
            else status = event.status;
          }
        })(),
      );
      // Like `workflow run --wait`: the outcome decides the exit code; it is said on stderr, stdout stays the log.
      ctx.exitCode = status === 'completed' ? 0 : 1;
      ctx.note(`execution ${status ?? 'ended'}`);
    });
}

/** Every matching line, a page at a time (seq cursor, the largest pages), until the server has no more. */
async function* allPages(ctx: CliContext, id: string, filter: LogFilter, render: (line: LogLine) => string): AsyncGenerator<string> {
  const client = ctx.client();
  let afterSeq = 0;
  for (;;) {
    const page = await client.getLogs(id, { ...filter, afterSeq, limit: PAGE_SIZE });
    if (page.items.length > 0) yield page.items.map(render).join('');
    if (!page.hasMore || page.items.length === 0) return;
    afterSeq = page.nextSeq;
  }
}
