import type { Transaction } from 'kysely';
import type { ExecutionPlan } from '../domain/execution-plan-model.ts';
import type { TaskRun } from '../domain/records.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import { workerActor } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { getTaskRun } from '../store/task-run-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { lockExecution } from './planning-reads.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { TxHooks } from './state-writer.ts';
import { transitionTaskRun } from './task-run-transition.ts';

/**
 * A `workflow` task's run waits, `running` and held by no worker, for its child execution to end;
 * the child's terminal transition ends it in the same transaction (child first, then parent: the one
 * order in which these locks are ever taken) and plans the parent.
 */

const TASK_STATUS: Record<
  NonNullable<ExecutionPlan['end']>['status'],
  Extract<TaskRunStatus, 'succeeded' | 'failed' | 'cancelled' | 'timed_out'>
> = {
  completed: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed_out',
};

/** The output a `workflow` task takes from its child: its id, status and every task's output (masked). */
export function childOutput(child: ExecutionSchedule, status: string, runs: readonly TaskRun[]): Record<string, unknown> {
  const tasks: Record<string, { status: TaskRunStatus; output: unknown }> = {};
  for (const run of [...runs].sort((a, b) => a.attempt - b.attempt)) {
    if (run.itemIndex === null) tasks[run.taskId] = { status: run.status, output: run.output };
  }
  return { execution_id: child.id, workflow_id: child.workflowId, status, tasks };
}

export async function endParentTaskRun(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'workerId'>,
  child: ExecutionSchedule,
  end: NonNullable<ExecutionPlan['end']>,
  childRuns: readonly TaskRun[],
  now: string,
  planParent: (parent: ExecutionSchedule) => Promise<unknown>,
): Promise<void> {
  if (child.parentExecutionId === null || child.parentTaskRunId === null) return;
  const parent = await lockExecution(trx, deps.caps, child.parentExecutionId);
  const run = await getTaskRun(trx, child.parentTaskRunId);
  if (!parent || !run || run.status !== 'running' || run.childExecutionId !== child.id) return;
  const to = TASK_STATUS[end.status];
  const output = childOutput(child, end.status, childRuns);
  const detail = end.error ? `: ${end.error.message}` : '';
  const error: TaskFailure | null =
    to === 'succeeded'
      ? null
      : to === 'cancelled'
        ? failure('cancelled', 'CANCELLED', `child execution ${child.id} cancelled${detail}`, { retryable: false })
        : failure('task', 'CHILD_EXECUTION_FAILED', `child execution ${child.id} ${end.status}${detail}`);
  const durationMs = run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null;
  await transitionTaskRun(trx, {
    run,
    to,
    changes: { output, error, completedAt: now, durationMs },
    metadata: {
      result: output,
      error,
      success: to === 'succeeded',
      executionTimeMs: durationMs,
      childExecutionId: child.id,
      workerId: deps.workerId,
      correlationId: parent.correlationId ?? parent.id,
    },
    actor: workerActor(deps.workerId),
    now,
  });
  SchedulerLog.of(tx, deps).add(
    parent.id,
    to === 'succeeded' ? 'INFO' : 'ERROR',
    `task ${run.taskId} ${to}: child execution ${child.id} ${end.status}${detail}`,
    run.id,
  );
  await planParent(parent);
}
