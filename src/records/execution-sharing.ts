import type { Kysely } from 'kysely';
import type { Actor, Execution } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { updateExecution } from '../store/execution-repository.ts';
import { claimExecutionShares, getExecutionShares, replaceExecutionShares } from '../store/execution-share-repository.ts';

export interface ShareChange {
  scope: 'private' | 'shared';
  userIds: string[];
  groupIds: string[];
}

/**
 * Who may read an execution besides its owner and the admins: the scope and the users and groups it
 * is shared with, replaced as a whole, with the before and after in one SHARES_CHANGED audit event.
 * Concurrent changes of one execution's shares run one after the other, each seeing the last one's
 * result as its "before".
 */
export async function shareExecution(
  db: Kysely<Database>,
  actor: Actor,
  execution: Pick<Execution, 'id' | 'accessScope'>,
  change: ShareChange,
) {
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const scopeBefore = (await claimExecutionShares(trx, execution.id, now)) ?? execution.accessScope;
    const before = await getExecutionShares(trx, execution.id);
    await replaceExecutionShares(trx, execution.id, { userIds: change.userIds, groupIds: change.groupIds }, actor.userId, now);
    await updateExecution(trx, execution.id, { accessScope: change.scope, updatedAt: now });
    const after = await getExecutionShares(trx, execution.id);
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: execution.id,
      executionId: execution.id,
      eventType: 'SHARES_CHANGED',
      actor,
      metadata: { before: { scope: scopeBefore, ...before }, after: { scope: change.scope, ...after } },
    });
  });
  return { scope: change.scope, ...(await getExecutionShares(db, execution.id)) };
}
