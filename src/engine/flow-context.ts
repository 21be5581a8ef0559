import type { ConditionResult } from '../domain/execution-plan-model.ts';
import { evaluateCondition, ExpressionError, type ExpressionVariables } from '../domain/expression.ts';
import { expressionOf } from '../domain/for-each.ts';
import type { TaskRun } from '../domain/records.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { triggerValuesOf } from './template.ts';

/** What `{{ execution.<field> }}` and the expressions' `execution` hold. */
export function executionFields(schedule: ExecutionSchedule): Record<string, unknown> {
  return {
    id: schedule.id,
    workflow_id: schedule.workflowId,
    workflow_version: schedule.workflowVersion,
    trigger: schedule.trigger,
    correlation_id: schedule.correlationId,
    parent_execution_id: schedule.parentExecutionId,
  };
}

/** Outputs of the latest succeeded attempt of each task (a for_each task's own run, not its items). */
export function taskOutputs(runs: readonly TaskRun[]): Record<string, { output: unknown }> {
  const out: Record<string, { output: unknown }> = {};
  for (const run of [...runs].sort((a, b) => a.attempt - b.attempt)) {
    if (run.status === 'succeeded' && run.itemIndex === null) out[run.taskId] = { output: run.output };
  }
  return out;
}

/**
 * A for_each task's output: its items' outputs in item order, null for an item that did not succeed
 * (from the latest attempt of each item).
 */
export function itemOutputs(runs: readonly TaskRun[], taskId: string): { items: TaskRun[]; output: unknown[] } {
  const latest = new Map<number, TaskRun>();
  for (const r of [...runs].sort((a, b) => a.attempt - b.attempt)) {
    if (r.taskId === taskId && r.itemIndex !== null) latest.set(r.itemIndex, r);
  }
  const items = [...latest.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
  return { items, output: items.map((r) => (r.status === 'succeeded' ? r.output : null)) };
}

/** Outputs for expressions: as stored, and for a for_each task the plan is ending now, its items' outputs. */
function outputsForConditions(runs: readonly TaskRun[]): Record<string, { output: unknown }> {
  const outputs = taskOutputs(runs);
  for (const run of runs) {
    if (run.itemIndex !== null && !Object.hasOwn(outputs, run.taskId))
      outputs[run.taskId] = { output: itemOutputs(runs, run.taskId).output };
  }
  return outputs;
}

/**
 * The planner's evaluator of `if`: the execution's inputs and its tasks' outputs as stored, so
 * masked (a condition on a secret sees `***`; a condition is recorded, a secret must never be).
 */
export function conditionEvaluator(schedule: ExecutionSchedule, runs: readonly TaskRun[]): (task: TaskDefinition) => ConditionResult {
  let variables: ExpressionVariables | undefined;
  return (task) => {
    variables ??= {
      inputs: schedule.inputs,
      tasks: outputsForConditions(runs),
      execution: executionFields(schedule),
      trigger: triggerValuesOf(schedule),
    };
    try {
      return { value: evaluateCondition(expressionOf(task.if ?? 'true'), variables) };
    } catch (e: unknown) {
      if (e instanceof ExpressionError) return { error: e.reason };
      throw e;
    }
  };
}
