import type { Transaction } from 'kysely';
import { InvalidStateError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { TaskRun } from '../domain/records.ts';
import { canTransitionTaskRun, type TaskRunStatus } from '../domain/task-run-status.ts';
import type { Database } from '../store/database-schema.ts';
import { insertTaskRuns, insertTransitions, updateTaskRun, type NewTaskRun, type TaskRunChanges } from '../store/task-run-repository.ts';

export interface TransitionRequest {
  run: TaskRun;
  to: TaskRunStatus;
  changes: Omit<TaskRunChanges, 'status' | 'updatedAt'>;
  /** Stored on the transition row: the full result, worker id, correlation id, reason. */
  metadata: Record<string, unknown>;
  now: string;
}

/**
 * Moves a task run to a new state and records the transition in the same transaction. The update is
 * a compare-and-set on the current state, so a stale writer (a late result after a cancel) changes
 * nothing and learns so from the error. Returns the run as it now stands.
 */
export async function transitionTaskRun(trx: Transaction<Database>, req: TransitionRequest): Promise<TaskRun> {
  const { run, to, changes, metadata, now } = req;
  if (!canTransitionTaskRun(run.status, to)) {
    throw new InvalidStateError(`task run ${run.id} cannot move from ${run.status} to ${to}`);
  }
  const changed = await updateTaskRun(trx, run.id, { ...changes, status: to, updatedAt: now }, run.status);
  if (!changed) throw new InvalidStateError(`task run ${run.id} is no longer ${run.status}`);
  await insertTransitions(trx, [
    { id: newId(), taskRunId: run.id, executionId: run.executionId, fromState: run.status, toState: to, metadata, createdAt: now },
  ]);
  const updated: TaskRun = { ...run, ...definedOnly(changes), status: to, updatedAt: now };
  return updated;
}

/** Creates task runs in `pending` with their first transition (none → pending). */
export async function createPendingTaskRuns(
  trx: Transaction<Database>,
  runs: readonly NewTaskRun[],
  metadata: Record<string, unknown>,
): Promise<TaskRun[]> {
  await insertTaskRuns(trx, runs);
  await insertTransitions(
    trx,
    runs.map((r) => ({
      id: newId(),
      taskRunId: r.id,
      executionId: r.executionId,
      fromState: null,
      toState: r.status,
      metadata,
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
  }));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
