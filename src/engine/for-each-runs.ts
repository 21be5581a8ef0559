import type { Transaction } from 'kysely';
import type { ExecutionPlan } from '../domain/execution-plan-model.ts';
import type { Actor, TaskRun } from '../domain/records.ts';
import type { Database } from '../store/database-schema.ts';
import { itemOutputs } from './flow-context.ts';
import type { SchedulerLog } from './scheduler-log.ts';
import { transitionTaskRun } from './task-run-transition.ts';

/**
 * Ends a for_each task's own run once the planner found every item ended: its output is the list of
 * the items' outputs (null for an item that did not succeed), in item order.
 */
export async function finishForEach(
  trx: Transaction<Database>,
  decision: ExecutionPlan['finishGroups'][number],
  runs: readonly TaskRun[],
  metadata: Record<string, unknown>,
  actor: Actor,
  now: string,
  log: SchedulerLog,
): Promise<TaskRun> {
  const run = runs.find((r) => r.id === decision.runId)!;
  const { items, output } = itemOutputs(runs, run.taskId);
  const succeeded = items.filter((r) => r.status === 'succeeded').length;
  const durationMs = run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null;
  const ended = await transitionTaskRun(trx, {
    run,
    to: decision.status,
    changes: { output, error: decision.error, completedAt: now, durationMs },
    metadata: {
      result: output,
      error: decision.error,
      success: decision.status === 'succeeded',
      executionTimeMs: durationMs,
      ...metadata,
    },
    actor,
    now,
  });
  log.add(
    run.executionId,
    decision.status === 'succeeded' ? 'INFO' : 'ERROR',
    `task ${run.taskId} ${decision.status}: ${succeeded} of ${items.length} item(s) succeeded${decision.error ? `; ${decision.error.message}` : ''}`,
    run.id,
  );
  return ended;
}
