import { sql, type Kysely } from 'kysely';

/**
 * Reading one task run's lines: (task_run_id, seq), partial on task lines. Task run ids are
 * UUIDv7, so new entries land at the right edge of this index and interleaved executions do not
 * scatter its pages (bench/log-ingest.ts reports its cost).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('execution_logs_task_run_idx')
    .on('execution_logs')
    .columns(['task_run_id', 'seq'])
    .where(sql.ref('task_run_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('execution_logs_task_run_idx').execute();
}
