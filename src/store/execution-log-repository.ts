import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database-schema.ts';
import { toNullableJson } from './json-column.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface ExecutionLogRow {
  executionId: string;
  seq: number;
  taskRunId: string | null;
  ts: string;
  level: string;
  source: string;
  message: string;
  metadata?: Record<string, unknown> | undefined;
}

/** Appends lines and bumps each execution's `log_entry_count` by the lines it got, in the caller's transaction. */
export async function insertLogLines(trx: Db, lines: readonly ExecutionLogRow[]): Promise<void> {
  if (lines.length === 0) return;
  await trx
    .insertInto('execution_logs')
    .values(
      lines.map((l) => ({
        execution_id: l.executionId,
        seq: l.seq,
        task_run_id: l.taskRunId,
        ts: l.ts,
        level: l.level,
        source: l.source,
        message: l.message,
        metadata: toNullableJson(l.metadata),
      })),
    )
    .execute();
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.executionId, (counts.get(l.executionId) ?? 0) + 1);
  // One UPDATE … FROM for every execution in the batch (both dialects), not one per execution.
  const increments = sql.join(
    [...counts].map(([id, n], i) =>
      i === 0 ? sql`select ${id} as id, cast(${n} as integer) as n` : sql`select ${id}, cast(${n} as integer)`,
    ),
    sql` union all `,
  );
  await sql`update executions set log_entry_count = log_entry_count + v.n
            from (${increments}) as v where executions.id = v.id`.execute(trx);
}

/** The highest seq stored for an execution (0 when none): where a restarted process continues. */
export async function maxLogSeq(db: Db, executionId: string): Promise<number> {
  const row = await db
    .selectFrom('execution_logs')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export interface StoredLogLine {
  seq: number;
  taskRunId: string | null;
  ts: string;
  level: string;
  source: string;
  message: string;
}

export interface LogLineFilter {
  executionId: string;
  /** Lines after this seq (the cursor). */
  afterSeq: number;
  levels?: readonly string[] | undefined;
  /** Lines at or after this instant (ISO). */
  since?: string | undefined;
  /** Lines of these task runs only (e.g. every attempt of one task). */
  taskRunIds?: readonly string[] | undefined;
  limit: number;
}

/**
 * One page of an execution's lines in seq order: a range scan of the (execution_id, seq) key from the
 * cursor, filters applied on the way; never an OFFSET.
 */
export async function queryLogLines(db: Db, f: LogLineFilter): Promise<StoredLogLine[]> {
  let q = db
    .selectFrom('execution_logs')
    .select(['seq', 'task_run_id', 'ts', 'level', 'source', 'message'])
    .where('execution_id', '=', f.executionId)
    .where('seq', '>', f.afterSeq);
  if (f.levels && f.levels.length > 0) q = q.where('level', 'in', [...f.levels]);
  if (f.since) q = q.where('ts', '>=', f.since);
  if (f.taskRunIds) {
    if (f.taskRunIds.length === 0) return [];
    q = q.where('task_run_id', 'in', [...f.taskRunIds]);
  }
  const rows = await q.orderBy('seq').limit(f.limit).execute();
  return rows.map((r) => ({ seq: r.seq, taskRunId: r.task_run_id, ts: r.ts, level: r.level, source: r.source, message: r.message }));
}
