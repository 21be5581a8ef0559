import { RunledgerError } from '../domain/errors.ts';
import { evaluateExpression, ExpressionError } from '../domain/expression.ts';
import { expressionOf, MAX_FOR_EACH_ITEMS, taskIdsIn } from '../domain/for-each.ts';
import type { TaskRun } from '../domain/records.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { getExecutionSchedule, listSucceededOutputs, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { openExecutionSecrets } from './execution-secrets.ts';
import { executionFields } from './flow-context.ts';
import type { Masker } from './masker.ts';
import { collectTaskReferences, renderValue, secretFromEnv, TemplateError, triggerValuesOf } from './template.ts';

/** Everything a worker needs to run one claimed attempt, with its input rendered (secrets in clear). */
export interface PreparedAttempt {
  task: TaskDefinition;
  input: Record<string, unknown>;
  masker: Masker;
  correlationId: string;
  schedule: ExecutionSchedule;
  /** A for_each task's own run: the items it is to be expanded into (in clear); its input is not rendered. */
  items?: unknown[];
}

export type Preparation = { ok: true; attempt: PreparedAttempt } | { ok: false; error: TaskFailure; correlationId: string };

/** A for_each list that cannot be used: the task run fails with this code. */
class ForEachError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads what a claimed attempt needs from the store, in any process: the definition, the execution's
 * inputs with its sealed secrets opened, and the outputs its templates refer to (the clear, sealed
 * copy where masking changed one). A template that cannot be rendered, or secrets this process cannot
 * open, end the attempt with a clear reason — never a run with `***` in place of a secret. For a
 * for_each task its list is evaluated here too, in clear: the task's own run gets the items, an
 * item's run its item as `{{ item }}`.
 */
export async function prepareAttempt(deps: EngineDeps, run: TaskRun, known?: ExecutionSchedule): Promise<Preparation> {
  // What the claiming transaction read of the execution is as current as a new read: what an attempt
  // uses of it (version, inputs, sealed secrets) only changes when the execution ends.
  const schedule = known?.id === run.executionId ? known : await getExecutionSchedule(deps.db, run.executionId);
  const correlationId = schedule?.correlationId ?? run.executionId;
  const version = schedule && (await deps.versions.get(deps.db, schedule.workflowId, schedule.workflowVersion));
  const task = version && [...version.definition.tasks, ...(version.definition.on_failure ?? [])].find((t) => t.id === run.taskId);
  if (!schedule || !version || !task) {
    return {
      ok: false,
      correlationId,
      error: failure('internal', 'VERSION_MISSING', `task ${run.taskId} is not in the execution's workflow version`, { retryable: false }),
    };
  }
  let opened;
  try {
    opened = openExecutionSecrets(deps.secrets, version.definition, schedule.inputs, schedule.sealedSecrets, deps.env);
  } catch (e: unknown) {
    if (!(e instanceof RunledgerError)) throw e;
    return { ok: false, correlationId, error: failure('internal', e.code, e.message, { retryable: false }) };
  }
  try {
    const expression = task.for_each === undefined ? undefined : expressionOf(task.for_each);
    const outputs: Record<string, { output: unknown }> = {};
    const referenced = new Set([...collectTaskReferences(task.with), ...(expression === undefined ? [] : taskIdsIn(expression))]);
    for (const row of await listSucceededOutputs(deps.db, run.executionId, [...referenced])) {
      outputs[row.taskId] = { output: row.sealedOutput === null ? row.output : deps.secrets.unseal(row.sealedOutput) };
    }
    const execution = executionFields(schedule);
    const items =
      expression === undefined
        ? undefined
        : forEachItems(expression, { inputs: opened.inputs, tasks: outputs, execution, trigger: triggerValuesOf(schedule) });
    const attempt = { task, masker: opened.masker, correlationId, schedule };
    if (items !== undefined && run.itemIndex === null) return { ok: true, attempt: { ...attempt, input: {}, items } };
    const loop = items !== undefined && run.itemIndex !== null ? { item: itemAt(items, run.itemIndex), index: run.itemIndex } : undefined;
    const input = renderValue(task.with, {
      inputs: opened.inputs,
      tasks: outputs,
      secrets: (name) => secretFromEnv(name, deps.env),
      trigger: triggerValuesOf(schedule),
      execution,
      ...(loop ? { loop } : {}),
    }) as Record<string, unknown>;
    return { ok: true, attempt: { ...attempt, input } };
  } catch (e: unknown) {
    if (e instanceof TemplateError) {
      return { ok: false, correlationId, error: failure('task', 'TEMPLATE_ERROR', opened.masker.mask(e.message), { retryable: false }) };
    }
    if (e instanceof ExpressionError) {
      return { ok: false, correlationId, error: failure('task', 'EXPRESSION_ERROR', opened.masker.mask(e.message), { retryable: false }) };
    }
    if (e instanceof ForEachError) {
      return { ok: false, correlationId, error: failure('task', e.code, opened.masker.mask(e.message), { retryable: false }) };
    }
    if (e instanceof RunledgerError)
      return { ok: false, correlationId, error: failure('internal', e.code, e.message, { retryable: false }) };
    throw e;
  }
}

function forEachItems(expression: string, variables: Parameters<typeof evaluateExpression>[1]): unknown[] {
  const value = evaluateExpression(expression, variables);
  if (!Array.isArray(value)) {
    throw new ForEachError('FOR_EACH_NOT_A_LIST', `for_each "${expression}" yields ${value === null ? 'null' : typeof value}, not a list`);
  }
  if (value.length > MAX_FOR_EACH_ITEMS) {
    throw new ForEachError(
      'FOR_EACH_TOO_MANY_ITEMS',
      `for_each "${expression}" yields ${value.length} items; at most ${MAX_FOR_EACH_ITEMS}`,
    );
  }
  return value as unknown[];
}

/** An item's run re-reads its list (inputs and outputs are immutable once stored): its item is still there. */
function itemAt(items: readonly unknown[], index: number): unknown {
  if (index >= items.length)
    throw new ForEachError('FOR_EACH_ITEM_MISSING', `item ${index} is no longer in the for_each list (${items.length} items)`);
  return items[index];
}
