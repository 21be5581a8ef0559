import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { Actor } from '../domain/records.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import type { SchedulerLog } from './scheduler-log.ts';
import { createPendingTaskRuns } from './task-run-transition.ts';

export interface OnFailurePhaseInput {
  schedule: ExecutionSchedule;
  tasks: readonly TaskDefinition[];
  now: string;
  actor: Actor;
  workerId: string;
  log: SchedulerLog;
}

/**
 * The execution has failed (or timed out) and its definition has `on_failure` tasks: their runs are
 * created, marked with the phase `on_failure`, in the same execution. The planner then runs them as a
 * DAG of their own and ends the execution with the status it had earned before them.
 */
export async function startOnFailurePhase(trx: Transaction<Database>, input: OnFailurePhaseInput): Promise<void> {
  const { schedule, now } = input;
  const correlationId = schedule.correlationId ?? schedule.id;
  const created = await createPendingTaskRuns(
    trx,
    input.tasks.map((t) => ({
      id: newId(),
      executionId: schedule.id,
      taskId: t.id,
      type: t.type,
      attempt: 1,
      status: 'pending' as const,
      createdAt: now,
      phase: 'on_failure' as const,
    })),
    { reason: 'the execution failed: on_failure tasks', workerId: input.workerId, correlationId },
    input.actor,
  );
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: schedule.id,
    executionId: schedule.id,
    eventType: 'ON_FAILURE_STARTED',
    actor: input.actor,
    metadata: { taskRuns: created.map((r) => ({ taskRunId: r.id, taskId: r.taskId })) },
  });
  const why = schedule.stop?.kind === 'timed_out' ? 'timed out' : 'failed';
  input.log.add(schedule.id, 'WARN', `execution ${why}: running its on_failure tasks (${input.tasks.map((t) => t.id).join(', ')})`);
}
