import { z } from 'zod';
import { instantWire } from './common-wire.ts';

/** The levels of log lines, least severe first. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One line an execution produced; `seq` 1, 2, 3… per execution. */
export const logLineWire = z
  .object({
    seq: z.number().int(),
    taskRunId: z.string().nullable().meta({ description: "The task run that wrote it; null for the scheduler's own lines" }),
    ts: instantWire,
    level: z.string().meta({ description: 'DEBUG, INFO, WARN or ERROR' }),
    source: z.string().meta({ description: 'scheduler, task:<id>, task:<id>:stdout, task:<id>:stderr…' }),
    message: z.string(),
  })
  .meta({ id: 'LogLine' });

/**
 * One page of lines in seq order. Forwards (`afterSeq`): pass `nextSeq` back while `hasMore`.
 * Backwards (`beforeSeq`): the lines just before it, still in ascending order; `hasMore` says whether
 * earlier ones match.
 */
export const logPageWire = z
  .object({
    items: z.array(logLineWire),
    nextSeq: z.number().int(),
    hasMore: z.boolean(),
  })
  .meta({ id: 'LogPage' });

/** Lines deleted by the log retention policy: a whole execution's, always the first ones. */
export const logRetentionGapWire = z
  .object({
    fromSeq: z.number().int(),
    toSeq: z.number().int(),
    deletedAt: instantWire.nullable().meta({ description: 'When the retention cleanup that deleted them ran, when known' }),
    retentionDays: z.number().int().nullable(),
  })
  .meta({ id: 'LogRetentionGap' });

/** `GET /v1/executions/:id/logs/summary`: where the log begins and ends, and what retention removed. */
export const logSummaryWire = z
  .object({
    firstSeq: z.number().int().nullable().meta({ description: 'The first stored line; null when none is stored' }),
    lastSeq: z.number().int().meta({ description: 'The last line written (0 when none)' }),
    lineCount: z.number().int().meta({ description: 'Lines stored now' }),
    written: z.number().int().meta({ description: 'Lines ever written' }),
    deleted: logRetentionGapWire.nullable(),
    ended: z.boolean().meta({ description: 'The execution has ended: no line will be added' }),
  })
  .meta({ id: 'LogSummary' });

/** `GET /v1/executions/:id/logs/search`: the seqs of matching lines (bounded), in order, and how many match. */
export const logSearchWire = z
  .object({
    seqs: z.array(z.number().int()),
    count: z.number().int().meta({ description: 'Matching lines, counted up to `countLimit`' }),
    countLimit: z.number().int(),
    truncated: z.boolean().meta({ description: 'More lines match than `seqs` holds' }),
  })
  .meta({ id: 'LogSearch' });

/** What a follower receives: each line as it is written, then the execution's end. */
export const logEndWire = z.object({ status: z.string(), lastSeq: z.number().int() }).meta({ id: 'LogEnd' });
