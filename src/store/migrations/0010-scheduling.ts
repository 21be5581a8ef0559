import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * The store is the scheduler: everything that decides what runs next is a column.
 *
 * task_runs: `available_at` (a pending run is claimable from then on; null while its dependencies
 * have not succeeded), the lease a worker holds on a running attempt (`lease_owner`,
 * `lease_expires_at`, `heartbeat_at`) and `fence`, incremented at every claim and checked on every
 * report; `sealed_output`, a task's output in clear sealed under the secret key when masking changed
 * it (downstream templates need the real value; erased when the execution ends).
 *
 * executions: `deadline_at` (the execution timeout as a row), the stop request a person or the
 * deadline makes (`stop_requested_at`, `stop_kind`, `stop_reason`, `stop_actor`) and
 * `sealed_secrets`, the secret inputs sealed under the secret key (erased when the execution ends).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  await db.schema.alterTable('task_runs').addColumn('available_at', ts).execute();
  await db.schema.alterTable('task_runs').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('task_runs').addColumn('lease_expires_at', ts).execute();
  await db.schema.alterTable('task_runs').addColumn('heartbeat_at', ts).execute();
  await db.schema
    .alterTable('task_runs')
    .addColumn('fence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('task_runs').addColumn('sealed_output', 'text').execute();
  // The claim query reads this index only: pending runs that are claimable, oldest first.
  await db.schema
    .createIndex('task_runs_claimable_idx')
    .on('task_runs')
    .columns(['available_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .where(sql.ref('available_at'), 'is not', null)
    .execute();
  // The sweeper's query: running attempts whose lease has expired.
  await db.schema
    .createIndex('task_runs_lease_idx')
    .on('task_runs')
    .column('lease_expires_at')
    .where(sql.ref('status'), '=', 'running')
    .execute();

  for (const column of ['deadline_at', 'stop_requested_at'] as const) {
    await db.schema.alterTable('executions').addColumn(column, ts).execute();
  }
  for (const column of ['stop_kind', 'stop_reason', 'stop_actor', 'sealed_secrets'] as const) {
    await db.schema.alterTable('executions').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('executions_deadline_idx')
    .on('executions')
    .column('deadline_at')
    .where(sql.ref('deadline_at'), 'is not', null)
    .where(sql.ref('completed_at'), 'is', null)
    .execute();

  // Attempts left running by the in-memory engine of earlier versions have no lease: they expire at
  // once, and the sweeper ends them as LEASE_EXPIRED (retried by policy). Pending runs are planned
  // again when a worker starts.
  await sql`update task_runs set lease_expires_at = updated_at where status = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('executions_deadline_idx').execute();
  for (const column of ['sealed_secrets', 'stop_actor', 'stop_reason', 'stop_kind', 'stop_requested_at', 'deadline_at']) {
    await db.schema.alterTable('executions').dropColumn(column).execute();
  }
  await db.schema.dropIndex('task_runs_lease_idx').execute();
  await db.schema.dropIndex('task_runs_claimable_idx').execute();
  for (const column of ['sealed_output', 'fence', 'heartbeat_at', 'lease_expires_at', 'lease_owner', 'available_at']) {
    await db.schema.alterTable('task_runs').dropColumn(column).execute();
  }
}
