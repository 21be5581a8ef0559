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
  for (const [executionId, n] of counts) {
    await trx
      .updateTable('executions')
      .set({ log_entry_count: sql`log_entry_count + ${n}` })
      .where('id', '=', executionId)
      .execute();
  }
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

/** Lines of one execution in order, after a seq cursor. */
export async function listLogLines(db: Db, executionId: string, afterSeq: number, limit: number): Promise<StoredLogLine[]> {
  const rows = await db
    .selectFrom('execution_logs')
    .select(['seq', 'task_run_id', 'ts', 'level', 'source', 'message'])
    .where('execution_id', '=', executionId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: r.seq, taskRunId: r.task_run_id, ts: r.ts, level: r.level, source: r.source, message: r.message }));
}
