import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Audit events are authenticated with the deployment's key, which lives outside the database: each
 * event carries the key's id and an HMAC of its hash, so appending or rewriting an event needs the
 * key, not only write access to the tables. `audit_keys` holds the deployment's key (one generation), registered
 * at first start; it is append-only like the audit tables.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  await db.schema.alterTable('audit_events').addColumn('key_id', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('mac', 'text').execute();
  await db.schema
    .createTable('audit_keys')
    // One generation per key: the first key is generation 1, and a second process registering its own
    // key at the same moment collides on it instead of registering a second key.
    .addColumn('generation', 'integer', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('registered_at', ts, (c) => c.notNull())
    .addColumn('heads', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  if (caps.dialect === 'postgres') {
    await sql`create trigger audit_keys_append_only before update or delete on audit_keys
              for each row execute function runledger_reject_audit_change()`.execute(db);
  } else {
    await sql`create trigger audit_keys_no_update before update on audit_keys
              begin select raise(abort, 'audit rows are append-only: UPDATE refused'); end`.execute(db);
    await sql`create trigger audit_keys_no_delete before delete on audit_keys
              begin select raise(abort, 'audit rows are append-only: DELETE refused'); end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (caps.dialect === 'postgres') await sql`drop trigger audit_keys_append_only on audit_keys`.execute(db);
  await db.schema.dropTable('audit_keys').execute();
  await db.schema.alterTable('audit_events').dropColumn('mac').execute();
  await db.schema.alterTable('audit_events').dropColumn('key_id').execute();
}
