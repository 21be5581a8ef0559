import type { Transaction } from 'kysely';
import { InvalidStateError } from '../domain/errors.ts';
import { canTransitionExecution, type ExecutionStatus } from '../domain/execution-status.ts';
import type { Actor } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { updateExecution, type ExecutionChanges } from '../store/execution-repository.ts';

/** The audit event that names each execution status it moves to. */
const EVENT_FOR: Record<ExecutionStatus, string> = {
  pending: 'STATE_CHANGE',
  running: 'STATE_CHANGE',
  waiting: 'STATE_CHANGE',
  completed: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
  timed_out: 'TIMEOUT',
};

export interface ExecutionStatusChange {
  executionId: string;
  /** The status it has now: the update is a compare-and-set on it, and the audit event records it. */
  from: ExecutionStatus;
  to: ExecutionStatus;
  changes: Omit<ExecutionChanges, 'status'>;
  actor: Actor;
  /** `STARTED` for pending → running; otherwise derived from `to`. */
  eventType?: string;
  /** Masked by the caller. */
  metadata?: Record<string, unknown>;
}

/**
 * Moves an execution to a new status (compare-and-set on the statuses it may come from) and records
 * the audit event in the same transaction (DESIGN invariant 1).
 */
export async function changeExecutionStatus(trx: Transaction<Database>, change: ExecutionStatusChange): Promise<void> {
  if (!canTransitionExecution(change.from, change.to))
    throw new InvalidStateError(`execution ${change.executionId} cannot move from ${change.from} to ${change.to}`);
  const changed = await updateExecution(trx, change.executionId, { ...change.changes, status: change.to }, [change.from]);
  if (!changed) throw new InvalidStateError(`execution ${change.executionId} is no longer ${change.from}`);
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: change.executionId,
    executionId: change.executionId,
    eventType: change.eventType ?? EVENT_FOR[change.to],
    actor: change.actor,
    metadata: { from: change.from, to: change.to, ...change.metadata },
  });
}
