import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseDurationMs } from '../../domain/duration.ts';
import { ValidationError } from '../../domain/errors.ts';
import { isTerminalExecutionStatus } from '../../domain/execution-status.ts';
import type { Execution } from '../../domain/records.ts';
import { getExecution } from '../../store/execution-repository.ts';
import { queryLogLines, type LogLineFilter } from '../../store/execution-log-repository.ts';
import { listTaskRunsByExecution } from '../../store/task-run-repository.ts';
import type { AppServices } from '../app-services.ts';
import { readableExecution } from '../execution-access.ts';
import { executionParams, logsQuery } from '../schemas.ts';

/** `30s`, `5m`, `2h`, `1d` back from now, or a timestamp; anything else is a 400 naming the field. */
function sinceInstant(since: string | undefined, now = Date.now()): string | undefined {
  if (since === undefined) return undefined;
  const ms = parseDurationMs(since);
  if (ms !== undefined) return new Date(now - ms).toISOString();
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new ValidationError(`querystring.since: "${since}" is neither a duration (30s, 5m, 2h, 1d) nor a timestamp`);
  return new Date(t).toISOString();
}

const DEFAULT_POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

export function logRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;
  return async (app) => {
    app.get(
      '/executions/:id/logs',
      {
        schema: {
          tags: ['logs'],
          summary: "An execution's log lines in order (seq cursor); follow=true streams them as Server-Sent Events until it ends",
          params: executionParams,
          querystring: logsQuery,
        },
      },
      async (request, reply) => {
        const execution = await readableExecution(services, request, request.params.id);
        const q = request.query;
        let taskRunIds: string[] | undefined;
        if (q.task !== undefined) {
          const runs = (await listTaskRunsByExecution(db, execution.id)).filter((r) => r.taskId === q.task);
          if (runs.length === 0) throw new ValidationError(`querystring.task: execution ${execution.id} has no task "${q.task}"`);
          taskRunIds = runs.map((r) => r.id);
        }
        const filter: LogLineFilter = {
          executionId: execution.id,
          afterSeq: q.afterSeq,
          levels: q.level,
          since: sinceInstant(q.since),
          taskRunIds,
          limit: q.limit,
        };
        if (!q.follow) {
          const items = await queryLogLines(db, filter);
          return { items, nextSeq: items.at(-1)?.seq ?? q.afterSeq, hasMore: items.length === q.limit };
        }
        return follow(services, reply, execution, filter);
      },
    );
  };

  /**
   * Streams lines as they become durable: woken by the LogCollector's flush in this process, and by
   * a poll for lines written elsewhere. Ends after the last line of an ended execution.
   */
  async function follow(svc: AppServices, reply: FastifyReply, execution: Execution, filter: LogLineFilter): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Headers now, not with the first line: a client learns at once that the stream is open.
    res.flushHeaders();
    let closed = false;
    let wake: (() => void) | undefined;
    // A flush that lands while the lines are being read must not wait for the next poll.
    let pendingWake = false;
    const unsubscribe = svc.logFeed.subscribe(execution.id, () => {
      if (wake) wake();
      else pendingWake = true;
    });
    res.on('close', () => {
      closed = true;
      wake?.();
    });
    let afterSeq = filter.afterSeq;
    let lastWrite = Date.now();
    try {
      while (!closed) {
        // the status is read before the lines: lines flushed before an end are then always caught
        const current = (await getExecution(db, execution.id)) ?? execution;
        let page;
        do {
          page = await queryLogLines(db, { ...filter, afterSeq });
          for (const line of page) {
            res.write(`id: ${line.seq}\nevent: line\ndata: ${JSON.stringify(line)}\n\n`);
            afterSeq = line.seq;
            lastWrite = Date.now();
          }
        } while (page.length === filter.limit && !closed);
        if (isTerminalExecutionStatus(current.status)) {
          res.write(`event: end\ndata: ${JSON.stringify({ status: current.status, lastSeq: afterSeq })}\n\n`);
          break;
        }
        if (Date.now() - lastWrite > HEARTBEAT_MS) {
          res.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        if (pendingWake) {
          pendingWake = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, svc.logPollMs ?? DEFAULT_POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      res.end();
    }
  }
}
