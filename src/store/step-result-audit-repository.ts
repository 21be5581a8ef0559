import type { Kysely, Transaction } from 'kysely';
import type { StepResultAuditEntry } from '../domain/audit.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { Database } from './database-schema.ts';
import { fromJson } from './json-column.ts';

export type { StepResultAuditEntry };

type Db = Kysely<Database> | Transaction<Database>;

/** The step results of one execution, in the order recorded; of one of its task runs when `taskRunId` is given. One query either way. */
export async function listStepResultAudit(db: Db, executionId: string, taskRunId?: string): Promise<StepResultAuditEntry[]> {
  let query = db
    .selectFrom('step_result_audit as a')
    .innerJoin('task_run_transitions as t', 't.id', 'a.transition_id')
    .innerJoin('task_runs as r', 'r.id', 'a.task_run_id')
    .select([
      'a.id',
      'a.task_run_id',
      'a.transition_id',
      'a.execution_id',
      'a.recorded_at',
      'a.worker_id',
      'a.correlation_id',
      'a.success',
      'a.execution_time_ms',
      'r.task_id',
      'r.attempt',
      't.from_state',
      't.to_state',
      't.metadata',
    ])
    .where('a.execution_id', '=', executionId);
  if (taskRunId !== undefined) query = query.where('a.task_run_id', '=', taskRunId);
  const rows = await query.orderBy('a.id').execute();
  return rows.map((r) => {
    const metadata = fromJson<Record<string, unknown>>(r.metadata);
    return {
      id: r.id,
      taskRunId: r.task_run_id,
      transitionId: r.transition_id,
      executionId: r.execution_id,
      recordedAt: r.recorded_at,
      workerId: r.worker_id,
      // A person's step records no worker: the person is the actor of its transition.
      recordedBy: r.worker_id ?? (typeof metadata.actor === 'string' ? metadata.actor : null),
      correlationId: r.correlation_id,
      success: r.success === true || r.success === 1,
      executionTimeMs: r.execution_time_ms,
      stepName: r.task_id,
      attempt: r.attempt,
      fromState: r.from_state as TaskRunStatus | null,
      toState: r.to_state as TaskRunStatus,
      result: metadata.result ?? metadata.error ?? null,
    };
  });
}

/** A step-result row as stored. */
export interface StepResultAuditRow {
  id: string;
  taskRunId: string;
  transitionId: string;
  recordedAt: string;
  workerId: string | null;
  correlationId: string | null;
  success: boolean;
  executionTimeMs: number | null;
}

/** The execution's step-result rows as stored, without joins: what verification compares with their transitions. */
export async function listStepResultRows(db: Db, executionId: string): Promise<StepResultAuditRow[]> {
  const rows = await db.selectFrom('step_result_audit').selectAll().where('execution_id', '=', executionId).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    taskRunId: r.task_run_id,
    transitionId: r.transition_id,
    recordedAt: r.recorded_at,
    workerId: r.worker_id,
    correlationId: r.correlation_id,
    success: r.success === true || r.success === 1,
    executionTimeMs: r.execution_time_ms,
  }));
}
