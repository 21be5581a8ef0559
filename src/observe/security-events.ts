import type { Kysely } from 'kysely';
import type { Actor } from '../domain/records.ts';
import type { Database } from '../store/database-schema.ts';
import { recordAuditEvent } from './audit-logger.ts';

/**
 * Events about reading the record, on the reader's own chain (subject `security`, per user), never on
 * the chain of what was read: reading the audit trail, and a refused read of someone else's execution.
 * Each is appended in a transaction of its own (an append always claims its chain's next seq in one).
 */

/** Reading the audit trail is itself an audit event. */
export async function recordAuditRead(db: Kysely<Database>, actor: Actor, read: { executionId?: string; what?: string }): Promise<void> {
  await db.transaction().execute((trx) =>
    recordAuditEvent(trx, {
      subjectType: 'security',
      subjectId: actor.userId ?? 'anonymous',
      eventType: 'AUDIT_READ',
      actor,
      ...(read.executionId ? { executionId: read.executionId } : {}),
      ...(read.what ? { metadata: { what: read.what } } : {}),
    }),
  );
}

/** A read of an execution the actor may not see (they were answered "not found", like for a missing one). */
export async function recordAccessDenied(
  db: Kysely<Database>,
  actor: Actor,
  denied: { executionId: string; method: string; route: string },
): Promise<void> {
  await db.transaction().execute((trx) =>
    recordAuditEvent(trx, {
      subjectType: 'security',
      subjectId: actor.userId ?? 'anonymous',
      eventType: 'ACCESS_DENIED',
      actor,
      executionId: denied.executionId,
      metadata: { resource: 'execution', id: denied.executionId, method: denied.method, route: denied.route },
    }),
  );
}
