import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/** When an execution's audit chain was purged by retention: verification then expects no chain. */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema.alterTable('executions').addColumn('audit_purged_at', sql.raw(caps.timestampType)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').dropColumn('audit_purged_at').execute();
}
