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
  updateTaskRunsListingRuns,
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
  const changes = checkedChanges(req);
  if (!(await updateTaskRun(trx, req.run.id, changes, req.run.status, req.lease))) return null;
  return recordMove(trx, req);
}

/**
 * `tryTransitionTaskRun` for each of `reqs` (null for a run no longer as expected), also reading every
 * run of `executionIds` as they stand after the changes (in the same statement on PostgreSQL): for
 * changes that are planned right after.
 */
export async function tryTransitionTaskRunsListingRuns(
  trx: Transaction<Database>,
  reqs: readonly TransitionRequest[],
  executionIds: readonly string[],
): Promise<{ moved: Array<TaskRun | null>; runs: TaskRun[] }> {
  const updates = reqs.map((req) => ({ id: req.run.id, changes: checkedChanges(req), fromStatus: req.run.status, lease: req.lease }));
  const { changed, runs } = await updateTaskRunsListingRuns(trx, updates, executionIds);
  const moved: Array<TaskRun | null> = [];
  for (const req of reqs) moved.push(changed.has(req.run.id) ? await recordMove(trx, req) : null);
  return { moved, runs };
}

/** The row changes of a transition, once it is known to be allowed. */
function checkedChanges(req: TransitionRequest): TaskRunChanges {
  if (!canTransitionTaskRun(req.run.status, req.to)) {
    throw new InvalidStateError(`task run ${req.run.id} cannot move from ${req.run.status} to ${req.to}`);
  }
  return { ...req.changes, status: req.to, updatedAt: req.now };
}

/** Records a transition whose row update was applied: its transition row and audit event. Returns the run as it now stands. */
async function recordMove(trx: Transaction<Database>, req: TransitionRequest): Promise<TaskRun> {
  const { run, to, changes, metadata, actor, now } = req;
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
