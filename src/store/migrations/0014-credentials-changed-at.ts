import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * When a user's password was last reset by an administrator: sign-in tokens (JWTs) issued before
 * it no longer authenticate, as the user's API tokens and browser sessions are revoked with it.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema.alterTable('users').addColumn('credentials_changed_at', sql.raw(caps.timestampType)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('credentials_changed_at').execute();
}
