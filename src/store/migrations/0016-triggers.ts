import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Triggers: workflows that start on a schedule or from a signed webhook.
 *
 * `trigger_schedules`: one row per schedule trigger of a workflow's latest version, with its next due
 * time. A scheduler claims a due time by moving `next_due_at` on with a conditional UPDATE, so one
 * node fires it however many look. `trigger_fires`: what became of every due time and every accepted
 * webhook request (`started` with its execution, `skipped` or `failed` with a reason), unique per
 * (workflow, trigger, fire key) — the due time, or the request's signature (a replay is refused).
 * `webhook_secrets`: each webhook trigger's signing secret, sealed under the secret key.
 *
 * executions: `trigger_id` (which trigger started it) and `trigger_body` (a webhook's JSON body, masked).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  const json = sql.raw(caps.jsonType);
  await db.schema
    .createTable('trigger_schedules')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('next_due_at', ts, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('trigger_schedules_pkey', ['workflow_id', 'trigger_id'])
    .execute();
  // The scheduler's one query: what is due now.
  await db.schema.createIndex('trigger_schedules_due_idx').on('trigger_schedules').column('next_due_at').execute();

  await db.schema
    .createTable('trigger_fires')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('fire_key', 'text', (c) => c.notNull())
    .addColumn('due_at', ts)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('execution_id', 'text')
    .addColumn('fired_by', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('trigger_fires_key', ['workflow_id', 'trigger_id', 'fire_key'])
    .execute();

  await db.schema
    .createTable('webhook_secrets')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_secrets_pkey', ['workflow_id', 'trigger_id'])
    .execute();

  await db.schema.alterTable('executions').addColumn('trigger_id', 'text').execute();
  await db.schema.alterTable('executions').addColumn('trigger_body', json).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').dropColumn('trigger_body').execute();
  await db.schema.alterTable('executions').dropColumn('trigger_id').execute();
  await db.schema.dropTable('webhook_secrets').execute();
  await db.schema.dropTable('trigger_fires').execute();
  await db.schema.dropTable('trigger_schedules').execute();
}
