import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * One row per log line, keyed by (execution_id, seq): an execution's lines are one clustered range,
 * and new lines of one execution land next to each other. No secondary index until a query needs it
 * (each one multiplies write cost when executions interleave).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema
    .createTable('execution_logs')
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('task_run_id', 'text')
    .addColumn('ts', sql.raw(caps.timestampType), (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('metadata', sql.raw(caps.jsonType))
    .addPrimaryKeyConstraint('execution_logs_pk', ['execution_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('execution_logs').execute();
}
