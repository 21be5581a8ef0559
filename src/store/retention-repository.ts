import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from './capabilities.ts';
import type { Database } from './database-schema.ts';

const ENDED = ['completed', 'failed', 'cancelled', 'timed_out'] as const;

export interface RetentionCriteria {
  /** Executions that ended before this instant (ISO). */
  endedBefore: string;
  /** Only executions with this status. */
  status?: string | undefined;
}

function endedExecutions(db: Kysely<Database>, c: RetentionCriteria) {
  let q = db
    .selectFrom('executions')
    .select('executions.id')
    .where('executions.status', 'in', [...ENDED])
    .where('executions.completed_at', '<', c.endedBefore);
  if (c.status) q = q.where('executions.status', '=', c.status);
  return q;
}

/**
 * Whether any execution with an id in [fromId, toId) must keep its log lines: not ended, ended at or
 * after the cutoff, or of another status than asked. A range read of the executions primary key,
 * stopping at the first such execution. When there is none, every line of those executions is one
 * that `countExpiredLogLines` counts and the row-delete path would delete.
 */
export async function hasRetainedExecution(db: Kysely<Database>, c: RetentionCriteria, fromId: string, toId: string): Promise<boolean> {
  const row = await db
    .selectFrom('executions')
    .select('id')
    .where('id', '>=', fromId)
    .where('id', '<', toId)
    .where((eb) =>
      eb.or([
        eb('status', 'not in', [...ENDED]),
        eb('completed_at', 'is', null),
        eb('completed_at', '>=', c.endedBefore),
        ...(c.status ? [eb('status', '!=', c.status)] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many log lines cleanup would delete. */
export async function countExpiredLogLines(db: Kysely<Database>, c: RetentionCriteria): Promise<number> {
  const row = await db
    .selectFrom('execution_logs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('execution_id', 'in', endedExecutions(db, c))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes up to `batch` log lines of executions that ended before the cutoff, in one short
 * transaction: writers wait for one batch at most, never for the whole cleanup.
 */
export async function deleteExpiredLogLines(db: Kysely<Database>, c: RetentionCriteria, batch: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const victims = await trx
      .selectFrom('execution_logs')
      .select(['execution_id', 'seq'])
      .where('execution_id', 'in', endedExecutions(db, c))
      .limit(batch)
      .execute();
    if (victims.length === 0) return 0;
    const byExecution = new Map<string, number[]>();
    for (const v of victims) byExecution.set(v.execution_id, [...(byExecution.get(v.execution_id) ?? []), v.seq]);
    for (const [executionId, seqs] of byExecution) {
      await trx.deleteFrom('execution_logs').where('execution_id', '=', executionId).where('seq', 'in', seqs).execute();
    }
    return victims.length;
  });
}

/** Executions whose whole audit chain may be purged, with their chain sizes. */
export async function expiredAuditChains(db: Kysely<Database>, c: RetentionCriteria): Promise<{ id: string; events: number }[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['subject_id', (eb) => eb.fn.countAll().as('n')])
    .where('subject_type', '=', 'execution')
    .where('subject_id', 'in', endedExecutions(db, c).where('executions.audit_purged_at', 'is', null))
    .groupBy('subject_id')
    .execute();
  return rows.map((r) => ({ id: r.subject_id, events: Number(r.n) }));
}

/**
 * Deletes one execution's audit chain (and its step-result audit) inside a purge window, the only
 * way the append-only triggers allow, in one transaction.
 */
export async function purgeExecutionAudit(db: Kysely<Database>, executionId: string, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('audit_purge_window').values({ opened_at: now }).execute();
    await trx.deleteFrom('audit_events').where('subject_type', '=', 'execution').where('subject_id', '=', executionId).execute();
    await trx.deleteFrom('step_result_audit').where('execution_id', '=', executionId).execute();
    await trx.deleteFrom('audit_chain_heads').where('subject_type', '=', 'execution').where('subject_id', '=', executionId).execute();
    await trx.updateTable('executions').set({ audit_purged_at: now }).where('id', '=', executionId).execute();
    await trx.deleteFrom('audit_purge_window').execute();
  });
}

export interface TableStats {
  table: string;
  rows: number;
  /** Bytes on disk, where the store can say. */
  bytes: number | null;
}

/** Bytes a table takes on disk, or null where the store cannot say (SQLite built without dbstat). */
export async function tableBytes(db: Kysely<Database>, caps: DialectCapabilities, table: string): Promise<number | null> {
  if (caps.dialect === 'postgres') {
    // A partitioned table has no storage of its own (size 0): its partitions hold the bytes.
    // pg_partition_tree lists nothing for a plain table, hence the fallback.
    const r = await sql<{ b: string }>`
      select coalesce((select sum(pg_total_relation_size(relid)) from pg_partition_tree(${table}::regclass)),
                      pg_total_relation_size(${table}::regclass)) as b`.execute(db);
    return Number(r.rows[0]?.b ?? 0);
  }
  try {
    const r = await sql<{ b: number }>`select sum(pgsize) as b from dbstat where name = ${table}`.execute(db);
    return Number(r.rows[0]?.b ?? 0);
  } catch {
    return null;
  }
}

/** Row counts and sizes of the tables that grow. */
export async function tableStats(db: Kysely<Database>, caps: DialectCapabilities): Promise<TableStats[]> {
  const tables = ['executions', 'task_runs', 'task_run_transitions', 'execution_logs', 'audit_events', 'step_result_audit'] as const;
  const out: TableStats[] = [];
  for (const table of tables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const bytes = await tableBytes(db, caps, table);
    out.push({ table, rows: Number(row.n), bytes });
  }
  return out;
}

export async function executionsByStatus(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('executions')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function oldest(
  db: Kysely<Database>,
): Promise<{ execution: string | null; logLine: string | null; auditEvent: string | null }> {
  const e = await db
    .selectFrom('executions')
    .select((eb) => eb.fn.min('created_at').as('t'))
    .executeTakeFirst();
  const l = await db
    .selectFrom('execution_logs')
    .select((eb) => eb.fn.min('ts').as('t'))
    .executeTakeFirst();
  const a = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.min('created_at').as('t'))
    .executeTakeFirst();
  return {
    execution: (e?.t as string | null) ?? null,
    logLine: (l?.t as string | null) ?? null,
    auditEvent: (a?.t as string | null) ?? null,
  };
}
