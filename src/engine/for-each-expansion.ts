import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { TaskRun } from '../domain/records.ts';
import { recordAuditEvent, workerActor } from '../observe/audit-logger.ts';
import { factHash } from '../observe/record-facts.ts';
import type { Database } from '../store/database-schema.ts';

import { updateTaskRun } from '../store/task-run-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { lockExecution } from './planning-reads.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { StateChange, TxHooks } from './state-writer.ts';
import type { PreparedAttempt } from './prepare-attempt.ts';
import { nowIso } from '../domain/time.ts';
import { createPendingTaskRuns, transitionTaskRun } from './task-run-transition.ts';
import { untilStored } from './report-sending.ts';

/**
 * A for_each task has a run of its own and one run per item. A worker claims the task's own run,
 * evaluates its list (with secrets and outputs in clear) and, in one fenced transaction, hands the
 * run over to the planner: the item runs are created, the lease is released, and from then on the
 * planner makes items ready (at most `concurrency` at once) and ends the task's run when they have all
 * ended, its output the list of their outputs.
 */

type ExpansionDeps = Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>;

export interface Expansion {
  run: TaskRun;
  /** Masked. */
  items: readonly unknown[];
  /** The expression, as recorded on the run's input. */
  expression: string;
  correlationId: string;
  now: string;
}

/**
 * Records the items of a claimed for_each run, if this worker still holds its lease; returns false
 * (nothing written) when the lease moved on. An empty list ends the task's run as succeeded.
 */
export async function recordExpansion(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: ExpansionDeps,
  expansion: Expansion,
): Promise<boolean> {
  const { run, items, now } = expansion;
  const schedule = await lockExecution(trx, deps.caps, run.executionId);
  if (!schedule) return false;
  const actor = workerActor(deps.workerId);
  const log = SchedulerLog.of(tx, deps);
  const input = { for_each: expansion.expression, items: items.length };
  const lease = { owner: deps.workerId, fence: run.fence };
  if (items.length === 0) {
    const durationMs = run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null;
    const ended = await updateTaskRun(trx, run.id, { input, updatedAt: now, leaseOwner: null, leaseExpiresAt: null }, 'running', lease);
    if (!ended) return false;
    await transitionTaskRun(trx, {
      run: { ...run, leaseOwner: null },
      to: 'succeeded',
      changes: { output: [], completedAt: now, durationMs },
      metadata: { result: [], success: true, executionTimeMs: durationMs, workerId: deps.workerId, correlationId: expansion.correlationId },
      actor,
      now,
    });
    log.add(run.executionId, 'INFO', `task ${run.taskId}: for_each has no items; succeeded`, run.id);
    await planAndApply(trx, tx, deps, run.executionId, now, schedule);
    return true;
  }
  // The lease is released: no worker holds the task's own run any more, the planner drives it.
  const handedOver = await updateTaskRun(trx, run.id, { input, updatedAt: now, leaseOwner: null, leaseExpiresAt: null }, 'running', lease);
  if (!handedOver) return false;
  const created = await createPendingTaskRuns(
    trx,
    items.map((item, index) => ({
      id: newId(),
      executionId: run.executionId,
      taskId: run.taskId,
      type: run.type,
      attempt: 1,
      status: 'pending' as const,
      createdAt: now,
      phase: run.phase,
      itemIndex: index,
      item,
    })),
    { reason: `item of task ${run.taskId}`, forEachRunId: run.id, workerId: deps.workerId, correlationId: expansion.correlationId },
    actor,
  );
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: run.executionId,
    executionId: run.executionId,
    eventType: 'FOR_EACH_EXPANDED',
    actor,
    metadata: {
      taskRunId: run.id,
      taskId: run.taskId,
      expression: expansion.expression,
      // What the item rows hold, so verification can compare them (record-facts.ts).
      itemRuns: created.map((r) => r.id),
      items: factHash(items),
    },
  });
  log.add(run.executionId, 'INFO', `task ${run.taskId}: for_each over ${items.length} item(s)`, run.id);
  await planAndApply(trx, tx, deps, run.executionId, now, schedule);
  return true;
}

/**
 * Records a for_each task's items (masked), with the attempt's log lines, for a worker: sent again
 * while the store cannot take it, unless `givenUp` (`untilStored`); the lines go back to the collector
 * if it fails. Resolves to false when the lease had moved on.
 */
export async function submitExpansion(
  deps: ExpansionDeps & Pick<EngineDeps, 'writer' | 'logSink'>,
  run: TaskRun,
  attempt: Pick<PreparedAttempt, 'masker' | 'correlationId' | 'task'>,
  items: readonly unknown[],
  givenUp: () => boolean,
): Promise<boolean> {
  const { masker, correlationId, task } = attempt;
  const lines = await deps.logSink.take(run.executionId);
  const change: StateChange<boolean> = (trx, tx) => {
    SchedulerLog.of(tx, deps).addTaken(lines);
    const expansion = { run, items: items.map((i) => masker.maskValue(i)), expression: masker.mask(task.for_each ?? ''), correlationId };
    return recordExpansion(trx, tx, deps, { ...expansion, now: nowIso() });
  };
  try {
    return await untilStored(() => deps.writer.submit(change), givenUp);
  } catch (e: unknown) {
    deps.logSink.giveBack(lines);
    throw e;
  }
}
