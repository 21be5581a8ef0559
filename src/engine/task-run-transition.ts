import type { Transaction } from 'kysely';
import { InvalidStateError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, TaskRun } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { factHash, transitionFacts } from '../observe/record-facts.ts';
import { canTransitionTaskRun, type TaskRunStatus } from '../domain/task-run-status.ts';
import type { Database } from '../store/database-schema.ts';
import {
  insertTaskRuns,
  insertTransitions,
  updateTaskRun,
  updateTaskRunListingRuns,
  type LeaseGuard,
  type NewTaskRun,
  type TaskRunChanges,
} from '../store/task-run-repository.ts';

export interface TransitionRequest {
  run: TaskRun;
  to: TaskRunStatus;
  changes: Omit<TaskRunChanges, 'status' | 'updatedAt'>;
  /** Stored on the transition row: the full result, worker id, correlation id, reason. */
  metadata: Record<string, unknown>;
  /** Who moved it: recorded on the audit event committed with the transition. */
  actor: Actor;
  now: string;
  /** For a claimed run: the lease the change is conditional on. */
  lease?: LeaseGuard;
}

/**
 * Moves a task run to a new state and records the transition in the same transaction. The update is
 * a compare-and-set on the current state, so a stale writer (a late result after a cancel) changes
 * nothing and learns so from the error. Returns the run as it now stands.
 */
export async function transitionTaskRun(trx: Transaction<Database>, req: TransitionRequest): Promise<TaskRun> {
  const moved = await tryTransitionTaskRun(trx, req);
  if (!moved) throw new InvalidStateError(`task run ${req.run.id} is no longer ${req.run.status}`);
  return moved;
}

/** `transitionTaskRun`, answering null instead of throwing when the run is no longer as expected (its lease moved on). */
export async function tryTransitionTaskRun(trx: Transaction<Database>, req: TransitionRequest): Promise<TaskRun | null> {
  return moveTaskRun(trx, req, (changes) => updateTaskRun(trx, req.run.id, changes, req.run.status, req.lease));
}

/**
 * `tryTransitionTaskRun`, also reading every run of the execution as it stands after the change (in
 * the same statement on PostgreSQL): for a change that is planned right after.
 */
export async function tryTransitionTaskRunListingRuns(
  trx: Transaction<Database>,
  req: TransitionRequest,
): Promise<{ moved: TaskRun | null; runs: TaskRun[] }> {
  let runs: TaskRun[] = [];
  const moved = await moveTaskRun(trx, req, async (changes) => {
    const result = await updateTaskRunListingRuns(trx, req.run.executionId, req.run.id, changes, req.run.status, req.lease);
    runs = result.runs;
    return result.changed;
  });
  return { moved, runs };
}

async function moveTaskRun(
  trx: Transaction<Database>,
  req: TransitionRequest,
  update: (changes: TaskRunChanges) => Promise<boolean>,
): Promise<TaskRun | null> {
  const { run, to, changes, metadata, actor, now } = req;
  if (!canTransitionTaskRun(run.status, to)) {
    throw new InvalidStateError(`task run ${run.id} cannot move from ${run.status} to ${to}`);
  }
  const changed = await update({ ...changes, status: to, updatedAt: now });
  if (!changed) return null;
  const transition = {
    id: newId(),
    taskRunId: run.id,
    executionId: run.executionId,
    fromState: run.status,
    toState: to,
    metadata,
    createdAt: now,
  };
  await insertTransitions(trx, [transition]);
  // DESIGN invariant 1: the state change, its transition and its audit event commit together.
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: run.executionId,
    executionId: run.executionId,
    eventType: 'STATE_CHANGE',
    actor,
    metadata: {
      taskRunId: run.id,
      taskId: run.taskId,
      attempt: run.attempt,
      from: run.status,
      to,
      ...(changes.error ? { code: changes.error.code } : {}),
      ...(typeof metadata.reason === 'string' ? { reason: metadata.reason } : {}),
      // What the rows beside the chain hold, so verification can compare them (record-facts.ts).
      ...transitionFacts(transition),
      ...(changes.output === undefined ? {} : { output: factHash(changes.output) }),
    },
  });
  const { sealedOutput, ...rest } = changes;
  const updated: TaskRun = {
    ...run,
    ...definedOnly(rest),
    status: to,
    updatedAt: now,
    ...(sealedOutput === undefined ? {} : { outputSealed: sealedOutput !== null }),
  };
  return updated;
}

/**
 * Creates task runs in `pending` with their first transition (none → pending). `metadata` goes on
 * each transition: the same for every run, or each run's own.
 */
export async function createPendingTaskRuns(
  trx: Transaction<Database>,
  runs: readonly NewTaskRun[],
  metadataOf: Record<string, unknown> | ((run: NewTaskRun) => Record<string, unknown>),
  actor: Actor,
): Promise<TaskRun[]> {
  const metadata = typeof metadataOf === 'function' ? metadataOf : () => metadataOf;
  await insertTaskRuns(trx, runs);
  for (const r of runs.filter((x) => x.attempt > 1)) {
    const { previousTaskRunId, reason } = metadata(r);
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: r.executionId,
      executionId: r.executionId,
      eventType: 'RETRY',
      actor,
      metadata: {
        taskRunId: r.id,
        taskId: r.taskId,
        attempt: r.attempt,
        previousTaskRunId,
        reason,
      },
    });
  }
  await insertTransitions(
    trx,
    runs.map((r) => ({
      id: newId(),
      taskRunId: r.id,
      executionId: r.executionId,
      fromState: null,
      toState: r.status,
      metadata: metadata(r),
      createdAt: r.createdAt,
    })),
  );
  return runs.map((r) => ({
    ...r,
    input: null,
    output: null,
    error: null,
    workerId: null,
    notes: null,
    completedBy: null,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    updatedAt: r.createdAt,
    availableAt: r.availableAt ?? null,
    leaseOwner: null,
    leaseExpiresAt: null,
    fence: 0,
    outputSealed: false,
    phase: r.phase ?? 'main',
    itemIndex: r.itemIndex ?? null,
    item: r.itemIndex === undefined || r.itemIndex === null ? null : (r.item ?? null),
    childExecutionId: null,
  }));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
