import { sql } from 'kysely';
import type { StoredAuditEvent } from '../../src/store/audit-event-repository.ts';
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

/** Writes an event row as it is given, past the server's writer (the way a forger would). */
export async function insertEventRow(
  h: Harness,
  e: Omit<StoredAuditEvent, 'keyId' | 'mac'> & Partial<Pick<StoredAuditEvent, 'keyId' | 'mac'>>,
): Promise<void> {
  await h.store.db
    .insertInto('audit_events')
    .values({
      id: e.id,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      seq: e.seq,
      execution_id: e.executionId,
      event_type: e.eventType,
      actor: JSON.stringify(e.actor),
      metadata: JSON.stringify(e.metadata),
      created_at: e.createdAt,
      prev_hash: e.prevHash,
      hash: e.hash,
      key_id: e.keyId ?? null,
      mac: e.mac ?? null,
    })
    .execute();
}
