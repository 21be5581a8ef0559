import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DialectCapabilities } from './capabilities.ts';
import type { Database } from './database-schema.ts';
import { toNullableJson } from './json-column.ts';
import { containsPattern } from './like-pattern.ts';
import { holdsExecutionLocks } from './execution-row-locks.ts';
import { chunks } from './statement-chunks.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Rows per statement. SQLite takes at most 500 terms in a compound SELECT (the counts relation), and
 * both dialects bound the parameters of one statement (SQLite 32,766, PostgreSQL 65,535; a log row
 * has 8): a transaction that writes lines of more executions than that splits its statements.
 */
const COUNTS_PER_STATEMENT = 500;
const LOG_ROWS_PER_STATEMENT = 1000;

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

/** Inserts lines whose seqs are given and bumps each execution's `log_entry_count` by the lines it got (seeding, imports). */
export async function insertLogLines(trx: Db, lines: readonly ExecutionLogRow[]): Promise<void> {
  if (lines.length === 0) return;
  await insertLogRows(trx, lines);
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.executionId, (counts.get(l.executionId) ?? 0) + 1);
  // One UPDATE … FROM for every execution in the batch (both dialects), not one per execution.
  for (const part of chunks([...counts], COUNTS_PER_STATEMENT)) {
    await sql`update executions set log_entry_count = log_entry_count + v.n
            from (${countsRelation(part)}) as v where executions.id = v.id`.execute(trx);
  }
}

/**
 * Appends lines in the caller's transaction: their seqs are allocated from each execution's row
 * (`log_entry_count` is the last seq given out), so lines of one execution written by several
 * processes interleave without colliding. Returns the rows as stored.
 */
export async function appendLogLines(
  trx: Db,
  caps: DialectCapabilities,
  lines: ReadonlyArray<Omit<ExecutionLogRow, 'seq'>>,
): Promise<ExecutionLogRow[]> {
  if (lines.length === 0) return [];
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.executionId, (counts.get(l.executionId) ?? 0) + 1);
  const next = await allocateLogSeqs(trx, caps, counts);
  const rows: ExecutionLogRow[] = [];
  for (const line of lines) {
    const seq = next.get(line.executionId);
    if (seq === undefined) continue; // the execution is gone (deleted by retention meanwhile)
    next.set(line.executionId, seq + 1);
    rows.push({ ...line, seq });
  }
  await insertLogRows(trx, rows);
  return rows;
}

async function insertLogRows(trx: Db, rows: readonly ExecutionLogRow[]): Promise<void> {
  for (const part of chunks(rows, LOG_ROWS_PER_STATEMENT)) await insertLogRowsAtOnce(trx, part);
}

async function insertLogRowsAtOnce(trx: Db, rows: readonly ExecutionLogRow[]): Promise<void> {
  await trx
    .insertInto('execution_logs')
    .values(
      rows.map((l) => ({
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
}

/** `(id, n)` rows for an UPDATE … FROM: how many lines each execution gets. */
export function countsRelation(counts: Iterable<readonly [string, number]>) {
  return sql.join(
    [...counts].map(([id, n], i) =>
      i === 0 ? sql`select ${id} as id, cast(${n} as integer) as n` : sql`select ${id}, cast(${n} as integer)`,
    ),
    sql` union all `,
  );
}

/**
 * Allocates `count` log sequence numbers per execution (the `log_entry_count` column is the last one
 * given out) in the caller's transaction; returns the first of each range. Any process may write
 * lines of any execution: the row update serialises them.
 */
async function allocateLogSeqs(db: Db, caps: DialectCapabilities, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  if (counts.size === 0) return new Map();
  await lockLogCounters(db, caps, [...counts.keys()]);
  const first = new Map<string, number>();
  for (const part of chunks([...counts], COUNTS_PER_STATEMENT)) {
    const { rows } = await sql<{ id: string; last: number | string }>`
      update executions set log_entry_count = log_entry_count + v.n
      from (${countsRelation(part)}) as v where executions.id = v.id
      returning executions.id as id, executions.log_entry_count as last`.execute(db);
    for (const r of rows) first.set(r.id, Number(r.last) - counts.get(r.id)! + 1);
  }
  return first;
}

/**
 * Two processes allocating seqs for the same executions take the row locks in one order (by id);
 * the UPDATE that allocates would take them in whatever order it meets the rows.
 */
export async function lockLogCounters(db: Db, caps: DialectCapabilities, executionIds: readonly string[]): Promise<void> {
  if (!caps.rowLocks || executionIds.length < 2 || holdsExecutionLocks(db, executionIds)) return;
  await db
    .selectFrom('executions')
    .select('id')
    .where('id', 'in', [...executionIds].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
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

/**
 * The lines just before `beforeSeq` (filters applied), in ascending seq order: paging backwards from
 * the tail or from any line, by a descending range scan of the same key.
 */
export async function queryLogLinesBefore(db: Db, f: Omit<LogLineFilter, 'afterSeq'> & { beforeSeq: number }): Promise<StoredLogLine[]> {
  let q = db
    .selectFrom('execution_logs')
    .select(['seq', 'task_run_id', 'ts', 'level', 'source', 'message'])
    .where('execution_id', '=', f.executionId)
    .where('seq', '<', f.beforeSeq);
  if (f.levels && f.levels.length > 0) q = q.where('level', 'in', [...f.levels]);
  if (f.since) q = q.where('ts', '>=', f.since);
  if (f.taskRunIds) {
    if (f.taskRunIds.length === 0) return [];
    q = q.where('task_run_id', 'in', [...f.taskRunIds]);
  }
  const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
  return rows
    .reverse()
    .map((r) => ({ seq: r.seq, taskRunId: r.task_run_id, ts: r.ts, level: r.level, source: r.source, message: r.message }));
}

/** First and last stored seq of an execution and how many lines are stored (one range read of the key). */
export async function logExtent(db: Db, executionId: string): Promise<{ firstSeq: number | null; lastSeq: number | null; count: number }> {
  const row = await db
    .selectFrom('execution_logs')
    .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last'), eb.fn.countAll().as('n')])
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  return {
    firstSeq: row?.first == null ? null : Number(row.first),
    lastSeq: row?.last == null ? null : Number(row.last),
    count: Number(row?.n ?? 0),
  };
}

export interface LogSearchFilter extends Omit<LogLineFilter, 'afterSeq' | 'limit'> {
  /** Case-insensitive substring of the message; `%`, `_` and `\` match themselves. */
  text: string;
  /** Matches after this seq, ascending; or, with `beforeSeq`, the ones just before it, still ascending. */
  afterSeq?: number | undefined;
  beforeSeq?: number | undefined;
  /** Most seqs returned. */
  limit: number;
  /** Most matches counted. */
  countLimit: number;
}

/**
 * The seqs of lines whose message contains the text (bounded), and how many lines match (counted up
 * to `countLimit`): a search over the whole log that never sends the lines themselves.
 */
export async function searchLogLines(db: Db, f: LogSearchFilter): Promise<{ seqs: number[]; count: number }> {
  const pattern = containsPattern(f.text);
  const base = () => {
    let q = db
      .selectFrom('execution_logs')
      .where('execution_id', '=', f.executionId)
      .where(sql<SqlBool>`lower(message) like ${pattern} escape '\\'`);
    if (f.levels && f.levels.length > 0) q = q.where('level', 'in', [...f.levels]);
    if (f.since) q = q.where('ts', '>=', f.since);
    if (f.taskRunIds) q = q.where('task_run_id', 'in', f.taskRunIds.length > 0 ? [...f.taskRunIds] : ['']);
    return q;
  };
  let page = base().select('seq');
  if (f.beforeSeq !== undefined) page = page.where('seq', '<', f.beforeSeq).orderBy('seq', 'desc');
  else page = page.where('seq', '>', f.afterSeq ?? 0).orderBy('seq');
  const rows = await page.limit(f.limit).execute();
  const seqs = rows.map((r) => Number(r.seq));
  if (f.beforeSeq !== undefined) seqs.reverse();
  const counted = await db
    .selectFrom(base().select('seq').limit(f.countLimit).as('m'))
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return { seqs, count: Number(counted?.n ?? 0) };
}
