import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Evidence: one row per file a person attached to a step. The bytes live in blob storage under a
 * server-made key; the row keeps what proves them (size, sniffed type, sha256) and the original name
 * only as display text. Rows are never deleted: a deletion sets deleted_at, the purge of the object
 * after the grace period sets purged_at. Executions gain who deleted them (deleted_at exists since 0001).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id'))
    .addColumn('task_run_id', 'text', (c) => c.notNull().references('task_runs.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('thumbnail_key', 'text')
    .addColumn('thumbnail_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('thumbnail_error', 'text')
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('deleted_at', ts)
    .addColumn('deleted_by', 'text')
    .addColumn('purged_at', ts)
    .execute();
  await db.schema.createIndex('attachments_execution_idx').on('attachments').columns(['execution_id', 'created_at']).execute();
  // The per-user quota sums what a person has stored and not yet purged.
  await db.schema.createIndex('attachments_uploaded_by_idx').on('attachments').columns(['uploaded_by', 'purged_at']).execute();
  await db.schema.alterTable('executions').addColumn('deleted_by', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').dropColumn('deleted_by').execute();
  await db.schema.dropTable('attachments').execute();
}
