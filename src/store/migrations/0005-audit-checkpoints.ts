import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Signed checkpoints: periodically, the heads of every audit chain are hashed together with the
 * previous checkpoint and signed (Ed25519, key outside the database). Append-only like the events.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('created_at', sql.raw(caps.timestampType), (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('heads', sql.raw(caps.jsonType), (c) => c.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  if (caps.dialect === 'postgres') {
    await sql`create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
              for each row execute function runledger_reject_audit_change()`.execute(db);
    await sql`create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
              for each statement execute function runledger_reject_audit_change()`.execute(db);
  } else {
    await sql`create trigger audit_checkpoints_no_update before update on audit_checkpoints
              begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end`.execute(db);
    await sql`create trigger audit_checkpoints_no_delete before delete on audit_checkpoints
              when not exists (select 1 from audit_purge_window)
              begin select raise(abort, 'audit rows are append-only: DELETE refused'); end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (caps.dialect === 'postgres') {
    await sql`drop trigger audit_checkpoints_append_only on audit_checkpoints`.execute(db);
    await sql`drop trigger audit_checkpoints_no_truncate on audit_checkpoints`.execute(db);
  }
  await db.schema.dropTable('audit_checkpoints').execute();
}
