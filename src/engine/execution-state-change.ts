import type { Transaction } from 'kysely';
import { InvalidStateError } from '../domain/errors.ts';
import { canTransitionExecution, type ExecutionStatus } from '../domain/execution-status.ts';
import type { Actor } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { updateExecution, updateExecutions, type ExecutionChanges } from '../store/execution-repository.ts';

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
 * the audit event in the same transaction (DESIGN invariant 1). With `held`, the row's update waits
 * there for `writeHeldStatusChanges`, later in the same transaction, to write the set at once; for
 * changes of executions locked by this transaction that nothing in it reads before then.
 */
export async function changeExecutionStatus(
  trx: Transaction<Database>,
  change: ExecutionStatusChange,
  held?: ExecutionStatusChange[],
): Promise<void> {
  if (!canTransitionExecution(change.from, change.to))
    throw new InvalidStateError(`execution ${change.executionId} cannot move from ${change.from} to ${change.to}`);
  if (held) held.push(change);
  else if (!(await updateExecution(trx, change.executionId, { ...change.changes, status: change.to }, [change.from])))
    throw new InvalidStateError(`execution ${change.executionId} is no longer ${change.from}`);
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: change.executionId,
    executionId: change.executionId,
    eventType: change.eventType ?? EVENT_FOR[change.to],
    actor: change.actor,
    metadata: { from: change.from, to: change.to, ...change.metadata },
  });
}

/** Writes the status changes `changeExecutionStatus` held, each still a compare-and-set. */
export async function writeHeldStatusChanges(trx: Transaction<Database>, held: readonly ExecutionStatusChange[]): Promise<void> {
  const changed = await updateExecutions(
    trx,
    held.map((c) => ({ id: c.executionId, changes: { ...c.changes, status: c.to }, fromStatuses: [c.from] })),
  );
  const moved = held.find((c) => !changed.has(c.executionId));
  if (moved) throw new InvalidStateError(`execution ${moved.executionId} is no longer ${moved.from}`);
}
