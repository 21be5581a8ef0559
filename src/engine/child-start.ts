import type { Transaction } from 'kysely';
import { RunledgerError } from '../domain/errors.ts';
import type { TimedLogLine } from '../domain/log-line.ts';
import type { TaskRun } from '../domain/records.ts';
import { resolveInputs } from '../domain/resolve-inputs.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent, workerActor } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { getExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { updateTaskRun } from '../store/task-run-repository.ts';
import { getWorkflow } from '../store/workflow-repository.ts';
import { prepareExecution, writeExecution, type PreparedExecution } from './execution-creation.ts';
import type { EngineDeps } from './engine-deps.ts';
import { lockExecution } from './planning-reads.ts';
import type { PreparedAttempt } from './prepare-attempt.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { TxHooks } from './state-writer.ts';

/** How deep executions may start each other (a workflow that runs itself stops here). */
export const MAX_CHILD_DEPTH = 8;

/** How a `workflow` task's attempt went: handed over to its child, or a failure to report like any task's. */
export type ChildStart =
  { kind: 'started'; childId: string } | { kind: 'refused' } | { kind: 'stopping' } | { kind: 'failed'; error: TaskFailure };

/**
 * A worker's part of a `workflow` task: it checks the child's workflow and inputs (rendered, in
 * clear), then in one transaction — under the parent's lock and only while it still holds the run's
 * lease — releases the lease, links the run to the new child and creates the child (trigger
 * `workflow`, owned by the parent's owner). No process waits for the child: its end ends the run
 * (child-executions.ts).
 */
export async function startChildExecution(
  deps: EngineDeps,
  run: TaskRun,
  attempt: PreparedAttempt,
  takeLines: () => Promise<readonly TimedLogLine[]>,
): Promise<ChildStart> {
  const { input, masker, schedule } = attempt;
  const workflowId = input.workflow;
  const inputs = input.inputs ?? {};
  if (typeof workflowId !== 'string' || workflowId === '') {
    return { kind: 'failed', error: failure('task', 'INVALID_INPUT', 'with.workflow must name a workflow', { retryable: false }) };
  }
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    return { kind: 'failed', error: failure('task', 'INVALID_INPUT', 'with.inputs must be an object', { retryable: false }) };
  }
  if ((await depthOf(deps, schedule.parentExecutionId)) + 1 >= MAX_CHILD_DEPTH) {
    return {
      kind: 'failed',
      error: failure('task', 'CHILD_DEPTH_EXCEEDED', `executions nest at most ${MAX_CHILD_DEPTH} deep (a workflow that starts itself?)`, {
        retryable: false,
      }),
    };
  }
  let prepared: PreparedExecution;
  try {
    const workflow = await getWorkflow(deps.db, workflowId);
    const version = workflow && (await deps.versions.get(deps.db, workflow.id, workflow.latestVersion));
    if (!version) {
      return {
        kind: 'failed',
        error: failure('task', 'WORKFLOW_NOT_FOUND', `workflow ${masker.mask(workflowId)} does not exist`, { retryable: false }),
      };
    }
    prepared = prepareExecution(deps, version, {
      inputs: resolveInputs(version.definition, inputs as Record<string, unknown>),
      trigger: 'workflow',
      actor: workerActor(deps.workerId),
      triggeredBy: schedule.triggeredBy,
      correlationId: schedule.correlationId ?? schedule.id,
      parent: { executionId: run.executionId, taskRunId: run.id },
      inheritedSecrets: masker.secrets,
    });
  } catch (e: unknown) {
    if (!(e instanceof RunledgerError)) throw e;
    return { kind: 'failed', error: failure('task', e.code, masker.mask(e.message), { retryable: false }) };
  }
  const lines = await takeLines();
  return deps.writer.submit(async (trx, tx) => {
    SchedulerLog.of(tx, deps).addTaken(lines);
    return handOver(trx, tx, deps, run, prepared, masker.maskValue(input));
  });
}

async function handOver(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: EngineDeps,
  run: TaskRun,
  child: PreparedExecution,
  maskedInput: unknown,
): Promise<ChildStart> {
  const now = nowIso();
  const parent = await lockExecution(trx, deps.caps, run.executionId);
  if (!parent) return { kind: 'refused' };
  if (parent.stop && !(parent.stop.kind === 'timed_out' && run.phase === 'on_failure')) return { kind: 'stopping' };
  const handed = await updateTaskRun(
    trx,
    run.id,
    { input: maskedInput, childExecutionId: child.id, leaseOwner: null, leaseExpiresAt: null, updatedAt: now },
    'running',
    { owner: deps.workerId, fence: run.fence },
  );
  if (!handed) return { kind: 'refused' };
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: run.executionId,
    executionId: run.executionId,
    eventType: 'CHILD_STARTED',
    actor: workerActor(deps.workerId),
    metadata: { taskRunId: run.id, taskId: run.taskId, childExecutionId: child.id, workflowId: child.version.workflowId },
  });
  SchedulerLog.of(tx, deps).add(
    run.executionId,
    'INFO',
    `task ${run.taskId} started child execution ${child.id} (workflow ${child.version.workflowId} v${child.version.version})`,
    run.id,
  );
  await writeExecution(trx, tx, deps, child, now);
  return { kind: 'started', childId: child.id };
}

/** How many ancestors an execution has. */
async function depthOf(deps: EngineDeps, parentId: string | null): Promise<number> {
  let depth = 0;
  for (let id = parentId; id !== null && depth <= MAX_CHILD_DEPTH; depth++) {
    id = (await getExecutionSchedule(deps.db, id))?.parentExecutionId ?? null;
  }
  return depth;
}

/** How a workflow task ends when its child could not start: the child's failure, or cancelled while stopping. */
export function childNotStarted(started: Extract<ChildStart, { kind: 'failed' | 'stopping' }>): {
  status: 'failed' | 'cancelled';
  error: TaskFailure;
} {
  if (started.kind === 'failed') return { status: 'failed', error: started.error };
  return {
    status: 'cancelled',
    error: failure('cancelled', 'CANCELLED', 'the execution is being stopped: no child started', { retryable: false }),
  };
}
