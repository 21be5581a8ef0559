import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDurationMs } from '../../domain/duration.ts';
import { ValidationError } from '../../domain/errors.ts';
import { isTerminalExecutionStatus } from '../../domain/execution-status.ts';
import type { Execution } from '../../domain/records.ts';
import { instantOf, parseInstant } from '../../domain/time.ts';
import { getExecution } from '../../store/execution-repository.ts';
import { queryLogLines, queryLogLinesBefore, searchLogLines, type LogLineFilter } from '../../store/execution-log-repository.ts';
import { listTaskRunsByExecution } from '../../store/task-run-repository.ts';
import type { AppServices } from '../app-services.ts';
import { readableExecution } from '../execution-access.ts';
import { executionParams, logDownloadQuery, logSearchQuery, logsQuery } from '../schemas.ts';
import { logPageWire, logSearchWire, logSummaryWire, problemResponses } from '../../domain/wire/index.ts';
import { summariseLog } from '../../observe/log-summary.ts';

/** `30s`, `5m`, `2h`, `1d` back from now, or a timestamp; anything else is a 400 naming the field. */
function sinceInstant(since: string | undefined, now = Date.now()): string | undefined {
  if (since === undefined) return undefined;
  const ms = parseDurationMs(since);
  if (ms !== undefined) {
    const back = instantOf(now - ms);
    if (back === undefined) throw new ValidationError(`querystring.since: "${since}" reaches back before 1970-01-01`);
    return back;
  }
  const t = parseInstant(since);
  if (t === undefined) {
    throw new ValidationError(
      `querystring.since: "${since}" is neither a duration (30s, 5m, 2h, 1d) nor an ISO-8601 timestamp from 1970-01-01 to 9999-12-31`,
    );
  }
  return t;
}

const DEFAULT_POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/** Search: seqs returned per request, and matches counted at most. */
const SEARCH_COUNT_LIMIT = 10_000;
const DOWNLOAD_PAGE = 1000;

export function logRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;

  /** The task runs of a task id (every attempt); a task the execution does not have is a 400. */
  async function taskRunIdsOf(execution: Execution, task: string | undefined): Promise<string[] | undefined> {
    if (task === undefined) return undefined;
    const runs = (await listTaskRunsByExecution(db, execution.id)).filter((r) => r.taskId === task);
    if (runs.length === 0) throw new ValidationError(`querystring.task: execution ${execution.id} has no task "${task}"`);
    return runs.map((r) => r.id);
  }

  return async (app) => {
    app.get(
      '/executions/:id/logs',
      {
        schema: {
          response: { 200: logPageWire, ...problemResponses },
          tags: ['logs'],
          summary:
            "An execution's log lines in order: after a seq (afterSeq), or just before one (beforeSeq); follow=true streams them as Server-Sent Events until it ends",
          params: executionParams,
          querystring: logsQuery,
        },
      },
      async (request, reply) => {
        const execution = await readableExecution(services, request, request.params.id);
        const q = request.query;
        const filter: LogLineFilter = {
          executionId: execution.id,
          afterSeq: q.afterSeq,
          levels: q.level,
          since: sinceInstant(q.since),
          taskRunIds: await taskRunIdsOf(execution, q.task),
          limit: q.limit,
        };
        if (q.beforeSeq !== undefined) {
          const items = await queryLogLinesBefore(db, { ...filter, beforeSeq: q.beforeSeq });
          return { items, nextSeq: items.at(-1)?.seq ?? q.beforeSeq - 1, hasMore: items.length === q.limit };
        }
        if (!q.follow) {
          const items = await queryLogLines(db, filter);
          return { items, nextSeq: items.at(-1)?.seq ?? q.afterSeq, hasMore: items.length === q.limit };
        }
        return follow(services, reply, execution, filter);
      },
    );

    app.get(
      '/executions/:id/logs/summary',
      {
        schema: {
          response: { 200: logSummaryWire, ...problemResponses },
          tags: ['logs'],
          summary: 'Where the log begins and ends (first and last seq, lines stored and written) and which lines retention deleted',
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        return summariseLog(db, execution);
      },
    );

    app.get(
      '/executions/:id/logs/search',
      {
        schema: {
          response: { 200: logSearchWire, ...problemResponses },
          tags: ['logs'],
          summary:
            'Search the whole log (case-insensitive substring): the seqs of matching lines after afterSeq or just before beforeSeq (at most limit), and how many lines match',
          params: executionParams,
          querystring: logSearchQuery,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        const q = request.query;
        const found = await searchLogLines(db, {
          executionId: execution.id,
          text: q.q,
          levels: q.level,
          since: sinceInstant(q.since),
          taskRunIds: await taskRunIdsOf(execution, q.task),
          afterSeq: q.afterSeq,
          beforeSeq: q.beforeSeq,
          limit: q.limit,
          countLimit: SEARCH_COUNT_LIMIT,
        });
        return { ...found, countLimit: SEARCH_COUNT_LIMIT, truncated: found.count > found.seqs.length };
      },
    );

    app.get(
      '/executions/:id/logs/download',
      {
        schema: {
          response: {
            200: {
              description: 'The lines as text (one per line: time, level, source, message) or NDJSON (one LogLine a line), streamed',
              content: { 'text/plain': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
            },
            ...problemResponses,
          },
          tags: ['logs'],
          summary: 'Download the whole log, or the lines matching the filters, as text or NDJSON (an attachment)',
          params: executionParams,
          querystring: logDownloadQuery,
        },
      },
      async (request, reply) => {
        const execution = await readableExecution(services, request, request.params.id);
        const q = request.query;
        const filter = {
          executionId: execution.id,
          levels: q.level,
          since: sinceInstant(q.since),
          taskRunIds: await taskRunIdsOf(execution, q.task),
        };
        const text = q.q;
        const format = q.format;
        async function* lines(): AsyncGenerator<string> {
          let afterSeq = 0;
          for (;;) {
            const page = await queryLogLines(db, { ...filter, afterSeq, limit: DOWNLOAD_PAGE });
            const needle = text?.toLowerCase();
            const chunk = page
              .filter((l) => needle === undefined || l.message.toLowerCase().includes(needle))
              .map((l) => (format === 'ndjson' ? JSON.stringify(l) : `${l.ts} ${l.level.padEnd(5)} [${l.source}] ${l.message}`))
              .join('\n');
            if (chunk) yield `${chunk}\n`;
            if (page.length < DOWNLOAD_PAGE) return;
            afterSeq = page.at(-1)!.seq;
          }
        }
        const filtered = q.level || q.since || q.task || q.q;
        const name = `${execution.id}${filtered ? '-filtered' : ''}.${format === 'ndjson' ? 'ndjson' : 'log'}`;
        // a stream: the response schema documents its lines, the serializer never sees it
        return reply
          .type(format === 'ndjson' ? 'application/x-ndjson' : 'text/plain; charset=utf-8')
          .headers({
            'content-disposition': `attachment; filename="${name}"`,
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, no-store',
          })
          .send(Readable.from(lines()) as never);
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
