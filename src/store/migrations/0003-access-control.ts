import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Groups, sharing of executions, per-user workflow-editing grant and login lockout, and the audit
 * trail those changes are recorded in (append-only, hash-chained per subject).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  const json = sql.raw(caps.jsonType);

  await db.schema
    .alterTable('users')
    .addColumn('can_edit_workflows', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('locked_until', ts).execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user_idx').on('group_members').columns(['user_id', 'group_id']).execute();

  await db.schema
    .createTable('execution_shares')
    .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    .addColumn('principal_type', 'text', (c) => c.notNull().check(sql`principal_type in ('user', 'group')`))
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('execution_shares_pk', ['execution_id', 'principal_type', 'principal_id'])
    .execute();
  // "What is shared with me": the list query's share branch is an index range per principal.
  await db.schema
    .createIndex('execution_shares_principal_idx')
    .on('execution_shares')
    .columns(['principal_type', 'principal_id', 'execution_id'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('execution_id', 'text')
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('actor', json, (c) => c.notNull())
    .addColumn('metadata', json, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('audit_events_subject_seq_uq', ['subject_type', 'subject_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_events_execution_idx').on('audit_events').columns(['execution_id', 'id']).execute();

  // The head of each subject's chain. Appending updates this row first, which holds a row lock
  // until commit: concurrent appends to one chain queue up instead of both taking the same seq.
  await db.schema
    .createTable('audit_chain_heads')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text')
    .addPrimaryKeyConstraint('audit_chain_heads_pk', ['subject_type', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_chain_heads').execute();
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('execution_shares').execute();
  await db.schema.dropTable('group_members').execute();
  await db.schema.dropTable('groups').execute();
  await db.schema.alterTable('users').dropColumn('locked_until').execute();
  await db.schema.alterTable('users').dropColumn('failed_logins').execute();
  await db.schema.alterTable('users').dropColumn('can_edit_workflows').execute();
}
