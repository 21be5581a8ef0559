import type { Kysely } from 'kysely';
import { ExecutionNotFoundError } from '../domain/errors.ts';
import type { Actor, Execution } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { listEndedExecutionsBefore, softDeleteExecution } from '../store/execution-repository.ts';

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
