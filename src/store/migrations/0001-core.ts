import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * The core record: workflows and their versions, executions with their inputs, task runs and every
 * transition of a task run, users and API tokens.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const json = sql.raw(caps.jsonType);
  const ts = sql.raw(caps.timestampType);

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member')`))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('disabled_at', ts)
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts)
    .addColumn('last_used_at', ts)
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('workflows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('deleted_at', ts)
    .execute();

  await db.schema
    .createTable('workflow_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', json, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_format', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('workflow_versions_workflow_version_uq', ['workflow_id', 'version'])
    .execute();

  await db.schema
    .createTable('executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id'))
    .addColumn('workflow_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('triggered_by', 'text', (c) => c.references('users.id'))
    .addColumn('correlation_id', 'text')
    .addColumn('title', 'text')
    .addColumn('notes', 'text')
    .addColumn('inputs', json, (c) => c.notNull())
    .addColumn('context', json)
    .addColumn('error', json)
    .addColumn('log_entry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('access_scope', 'text', (c) => c.notNull().defaultTo('private'))
    .addColumn('worker_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('completed_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('deleted_at', ts)
    .addForeignKeyConstraint('executions_workflow_version_fk', ['workflow_id', 'workflow_version'], 'workflow_versions', [
      'workflow_id',
      'version',
    ])
    .execute();
  // Ids are UUIDv7, so `id desc` is newest first: every history page is a keyset range scan.
  await db.schema.createIndex('executions_workflow_idx').on('executions').columns(['workflow_id', 'id']).execute();
  await db.schema.createIndex('executions_status_idx').on('executions').columns(['status', 'id']).execute();
  await db.schema.createIndex('executions_triggered_by_idx').on('executions').columns(['triggered_by', 'id']).execute();

  await db.schema
    .createTable('execution_inputs')
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('execution_inputs_pk', ['execution_id', 'key'])
    .execute();
  await db.schema.createIndex('execution_inputs_lookup_idx').on('execution_inputs').columns(['key', 'value', 'execution_id']).execute();

  await db.schema
    .createTable('task_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', json)
    .addColumn('output', json)
    .addColumn('error', json)
    .addColumn('worker_id', 'text')
    .addColumn('notes', 'text')
    .addColumn('completed_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('completed_at', ts)
    .addColumn('duration_ms', 'integer')
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('task_runs_attempt_uq', ['execution_id', 'task_id', 'attempt'])
    .execute();
  await db.schema.createIndex('task_runs_status_idx').on('task_runs').columns(['status', 'execution_id']).execute();

  await db.schema
    .createTable('task_run_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_run_id', 'text', (c) => c.notNull().references('task_runs.id').onDelete('cascade'))
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('metadata', json, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('task_run_transitions_task_run_idx').on('task_run_transitions').columns(['task_run_id', 'id']).execute();
  await db.schema.createIndex('task_run_transitions_execution_idx').on('task_run_transitions').columns(['execution_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'task_run_transitions',
    'task_runs',
    'execution_inputs',
    'executions',
    'workflow_versions',
    'workflows',
    'api_tokens',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
