import { sql } from 'kysely';
import type { Harness } from './harness.ts';

/** The append-only guards, as someone with direct access to the database drops them before editing. */
export async function dropAuditGuards(
  h: Harness,
  tables: readonly string[] = ['audit_events', 'audit_checkpoints', 'step_result_audit'],
): Promise<void> {
  for (const table of tables) {
    if (h.store.caps.dialect === 'postgres')
      await sql`drop trigger ${sql.raw(`${table}_append_only`)} on ${sql.table(table)}`.execute(h.store.db);
    else {
      await sql`drop trigger ${sql.raw(`${table}_no_update`)}`.execute(h.store.db);
      await sql`drop trigger ${sql.raw(`${table}_no_delete`)}`.execute(h.store.db);
    }
  }
}
