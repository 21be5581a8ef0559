import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Browser sessions: the web UI signs in with a cookie whose value only the browser holds; the row
 * keeps its SHA-256, the CSRF token the page must send back, and when it ends. Ending a session (sign
 * out, expiry, the user disabled) is a column, so a stolen cookie stops working at once.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  const ts = sql.raw(caps.timestampType);
  await db.schema
    .createTable('browser_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();
  await db.schema.createIndex('browser_sessions_user_idx').on('browser_sessions').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('browser_sessions').execute();
}
