import type { Kysely } from 'kysely';
import { ExecutionNotFoundError, RestoreExpiredError } from '../domain/errors.ts';
import type { Actor, Execution } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import {
  getDeletedExecution,
  listEndedExecutionsBefore,
  restoreDeletedExecution,
  softDeleteExecution,
} from '../store/execution-repository.ts';

/**
 * Soft-deletes an ended execution with its DELETED audit event, in one transaction: it disappears
 * from everything but admin views, and its evidence is purged after the grace period.
 */
export async function deleteExecutionRecord(
  db: Kysely<Database>,
  execution: Pick<Execution, 'id' | 'title' | 'status'>,
  actor: Actor,
  now: string,
  reason?: Record<string, unknown>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await softDeleteExecution(trx, execution.id, actor.userId, now))) throw new ExecutionNotFoundError(execution.id);
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: execution.id,
      executionId: execution.id,
      eventType: 'DELETED',
      actor,
      metadata: { title: execution.title, status: execution.status, ...reason },
    });
  });
}

const BATCH = 1000;
const DAY_MS = 86_400_000;

/**
 * Brings back a deleted execution within the grace period (the same as the purge of its evidence, so
 * what is restored is still whole), with its RESTORED audit event; returns its id.
 */
export async function restoreExecutionRecord(
  db: Kysely<Database>,
  id: string,
  actor: Actor,
  graceDays: number,
  now: string,
): Promise<string> {
  const deleted = await getDeletedExecution(db, id);
  if (!deleted) throw new ExecutionNotFoundError(id);
  const since = new Date(Date.parse(now) - graceDays * DAY_MS).toISOString();
  await db.transaction().execute(async (trx) => {
    if (!(await restoreDeletedExecution(trx, deleted.id, since, now)))
      throw new RestoreExpiredError(
        `execution ${deleted.id} was deleted at ${deleted.deletedAt}, more than ${graceDays} days ago: its evidence may be purged`,
        { deletedAt: deleted.deletedAt, graceDays },
      );
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: deleted.id,
      executionId: deleted.id,
      eventType: 'RESTORED',
      actor,
      metadata: { deletedAt: deleted.deletedAt, deletedBy: deleted.deletedBy },
    });
  });
  return deleted.id;
}

/**
 * The admin retention policy for records (`RUNLEDGER_RECORD_RETENTION_DAYS`; none by default, so
 * records are kept indefinitely): executions that ended more than that many days ago are deleted
 * as a person's deletion would be, by the system, with the policy in the audit event.
 */
export async function applyRecordRetention(db: Kysely<Database>, recordDays: number, actor: Actor, now = new Date()): Promise<number> {
  const endedBefore = new Date(now.getTime() - recordDays * DAY_MS).toISOString();
  let deleted = 0;
  for (;;) {
    const batch = await listEndedExecutionsBefore(db, endedBefore, BATCH);
    for (const execution of batch) {
      await deleteExecutionRecord(db, execution, actor, now.toISOString(), { reason: 'retention', recordRetentionDays: recordDays });
      deleted++;
    }
    if (batch.length < BATCH) return deleted;
  }
}
