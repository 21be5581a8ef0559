import { newId } from '../domain/ids.ts';
import type { Execution, TaskRun, WorkflowVersion } from '../domain/records.ts';
import { failure } from '../domain/task-failure.ts';
import { nowIso } from '../domain/time.ts';
import { workerActor } from '../observe/audit-logger.ts';
import { listUnfinishedExecutions } from '../store/execution-repository.ts';
import { changeExecutionStatus } from './execution-state-change.ts';
import { listTaskRunsByExecution } from '../store/task-run-repository.ts';
import { getWorkflowVersion } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { createPendingTaskRuns, transitionTaskRun } from './task-run-transition.ts';

export interface RecoveryReport {
  /** Executions found unfinished and resumed. */
  resumed: number;
  /** Attempts that were running in a dead process, now ended as `process_lost`. */
  lostTaskRuns: number;
  /** Of those, how many got a new attempt under their retry policy. */
  retried: number;
}

export interface Resumable {
  execution: Execution;
  version: WorkflowVersion;
  runs: TaskRun[];
}

/**
 * On start-up no other process shares this store's executions (one node; leases take this role
 * with several workers), so every attempt still `running` under another worker id belongs to a
 * process that died. Each is ended as failed with code `process_lost` in the same transaction that
 * creates its retry, when its policy allows one.
 */
export async function recoverExecutions(deps: EngineDeps): Promise<{ report: RecoveryReport; resumable: Resumable[] }> {
  const report: RecoveryReport = { resumed: 0, lostTaskRuns: 0, retried: 0 };
  const resumable: Resumable[] = [];
  for (const execution of await listUnfinishedExecutions(deps.db)) {
    const version = await getWorkflowVersion(deps.db, execution.workflowId, execution.workflowVersion);
    if (!version) {
      const now = nowIso();
      const error = failure(
        'internal',
        'VERSION_MISSING',
        `workflow version ${execution.workflowId}@${execution.workflowVersion} is missing`,
        { retryable: false },
      );
      await deps.writer.submit((trx) =>
        changeExecutionStatus(trx, {
          executionId: execution.id,
          from: ['pending', 'running', 'waiting'],
          to: 'failed',
          changes: { error, completedAt: now, updatedAt: now },
          actor: workerActor(deps.workerId),
          metadata: { error },
        }),
      );
      continue;
    }
    const runs = await listTaskRunsByExecution(deps.db, execution.id);
    const lost = runs.filter((r) => r.status === 'running' && r.workerId !== deps.workerId);
    if (lost.length > 0) {
      const tasks = new Map(version.definition.tasks.map((t) => [t.id, t]));
      const now = nowIso();
      const created = await deps.writer.submit(async (trx) => {
        const retries: TaskRun[] = [];
        for (const run of lost) {
          const error = failure(
            'lost',
            'process_lost',
            `the process running this attempt (worker ${run.workerId}) stopped before it ended`,
          );
          await transitionTaskRun(trx, {
            run,
            to: 'failed',
            changes: { error, completedAt: now, durationMs: run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null },
            metadata: {
              error,
              reason: 'process_lost',
              success: false,
              workerId: deps.workerId,
              lostWorkerId: run.workerId,
              correlationId: execution.correlationId ?? execution.id,
            },
            actor: workerActor(deps.workerId),
            now,
          });
          const retry = tasks.get(run.taskId)?.retry;
          if (retry && run.attempt <= retry.max) {
            retries.push(
              ...(await createPendingTaskRuns(
                trx,
                [
                  {
                    id: newId(),
                    executionId: execution.id,
                    taskId: run.taskId,
                    type: run.type,
                    attempt: run.attempt + 1,
                    status: 'pending',
                    createdAt: now,
                  },
                ],
                { reason: 'retry after process_lost', previousTaskRunId: run.id, workerId: deps.workerId },
                workerActor(deps.workerId),
              )),
            );
          }
        }
        return retries;
      });
      report.lostTaskRuns += lost.length;
      report.retried += created.length;
      for (const run of lost) {
        deps.logSink.append({
          executionId: execution.id,
          taskRunId: run.id,
          level: 'WARN',
          source: 'scheduler',
          message: `[execution ${execution.id}] task ${run.taskId} attempt ${run.attempt} lost with its process (worker ${run.workerId}); recorded as process_lost`,
        });
      }
    }
    report.resumed += 1;
    resumable.push({ execution, version, runs: await listTaskRunsByExecution(deps.db, execution.id) });
  }
  return { report, resumable };
}
