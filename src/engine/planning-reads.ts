import type { Transaction } from 'kysely';
import { MAX_FOR_EACH_ITEMS } from '../domain/for-each.ts';
import type { ExecutionPlan } from '../domain/execution-plan-model.ts';
import type { TaskRun } from '../domain/records.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { knowChainHead } from '../observe/audit-logger.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { Database } from '../store/database-schema.ts';
import { lockExecutionSchedules, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { listRunsForPlanning, listTaskRunsByExecution } from '../store/task-run-repository.ts';

/**
 * An execution's task runs as a plan reads them: all of them (`complete`), or all but the items
 * counted in `settledItems` and the waiting items beyond the first ones (`listRunsForPlanning`).
 */
export interface PlanningRead {
  runs: readonly TaskRun[];
  settledItems?: ReadonlyMap<string, number> | undefined;
  complete: boolean;
}

/**
 * Locks an execution's row for planning (see `lockExecutionSchedules`); the head of its audit chain,
 * read with it, spares the events this transaction records about it a read of their own.
 */
export async function lockExecution(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  id: string,
): Promise<ExecutionSchedule | undefined> {
  return (await lockExecutions(trx, caps, [id])).get(id);
}

/** `lockExecution` for several executions, in one statement (see `lockExecutionSchedules`). */
export async function lockExecutions(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  ids: readonly string[],
): Promise<Map<string, ExecutionSchedule>> {
  const schedules = await lockExecutionSchedules(trx, caps, ids);
  for (const schedule of schedules.values()) if (schedule.auditHead) knowChainHead(trx, 'execution', schedule.id, schedule.auditHead);
  return schedules;
}

/** Whether a definition has a `for_each` task, whose items a plan may count rather than read. */
export function hasForEach(definition: WorkflowDefinition): boolean {
  return [...definition.tasks, ...(definition.on_failure ?? [])].some((t) => t.for_each !== undefined);
}

/** The most items waiting to start one plan can make ready: the highest `concurrency` of a `for_each` task. */
export function waitingItemsToRead(definition: WorkflowDefinition): number {
  const forEach = [...definition.tasks, ...(definition.on_failure ?? [])].filter((t) => t.for_each !== undefined);
  return Math.max(1, ...forEach.map((t) => t.concurrency ?? MAX_FOR_EACH_ITEMS));
}

/**
 * Whether a plan made from a read that left runs out must be made again from every run: it ends a
 * `for_each` task (its output lists every item's), skips, fails or cancels runs (maybe some not read),
 * retries one (an item whose later attempt succeeded shows only its failed one), evaluated a condition
 * (on outputs), or ends the execution or starts its on_failure phase.
 */
export function needsEveryRun(plan: ExecutionPlan, evaluated: boolean): boolean {
  return (
    evaluated ||
    plan.retry.length > 0 ||
    plan.finishGroups.length > 0 ||
    plan.skip.length > 0 ||
    plan.fail.length > 0 ||
    plan.cancel.length > 0 ||
    plan.end !== null ||
    plan.startOnFailure
  );
}

/** The runs a plan of an execution reads: with `for_each` tasks the narrow read, otherwise every run. */
export async function readRunsForPlanning(
  trx: Transaction<Database>,
  executionId: string,
  definition: WorkflowDefinition,
): Promise<PlanningRead> {
  if (hasForEach(definition)) return listRunsForPlanning(trx, executionId, waitingItemsToRead(definition));
  return { runs: await listTaskRunsByExecution(trx, executionId), complete: true };
}
