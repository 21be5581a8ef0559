import { RunledgerError } from '../domain/errors.ts';
import type { TaskRun } from '../domain/records.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { getExecutionSchedule, listSucceededOutputs, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { openExecutionSecrets } from './execution-secrets.ts';
import type { Masker } from './masker.ts';
import { collectTaskReferences, renderValue, secretFromEnv, TemplateError, triggerValuesOf } from './template.ts';

/** Everything a worker needs to run one claimed attempt, with its input rendered (secrets in clear). */
export interface PreparedAttempt {
  task: TaskDefinition;
  input: Record<string, unknown>;
  masker: Masker;
  correlationId: string;
}

export type Preparation = { ok: true; attempt: PreparedAttempt } | { ok: false; error: TaskFailure; correlationId: string };

/**
 * Reads what a claimed attempt needs from the store, in any process: the definition, the execution's
 * inputs with its sealed secrets opened, and the outputs its templates refer to (the clear, sealed
 * copy where masking changed one). A template that cannot be rendered, or secrets this process cannot
 * open, end the attempt with a clear reason — never a run with `***` in place of a secret.
 */
export async function prepareAttempt(deps: EngineDeps, run: TaskRun, known?: ExecutionSchedule): Promise<Preparation> {
  // What the claiming transaction read of the execution is as current as a new read: what an attempt
  // uses of it (version, inputs, sealed secrets) only changes when the execution ends.
  const schedule = known?.id === run.executionId ? known : await getExecutionSchedule(deps.db, run.executionId);
  const correlationId = schedule?.correlationId ?? run.executionId;
  const version = schedule && (await deps.versions.get(deps.db, schedule.workflowId, schedule.workflowVersion));
  const task = version?.definition.tasks.find((t) => t.id === run.taskId);
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
    const outputs: Record<string, { output: unknown }> = {};
    for (const row of await listSucceededOutputs(deps.db, run.executionId, collectTaskReferences(task.with))) {
      outputs[row.taskId] = { output: row.sealedOutput === null ? row.output : deps.secrets.unseal(row.sealedOutput) };
    }
    const input = renderValue(task.with, {
      inputs: opened.inputs,
      tasks: outputs,
      secrets: (name) => secretFromEnv(name, deps.env),
      trigger: triggerValuesOf(schedule),
    }) as Record<string, unknown>;
    return { ok: true, attempt: { task, input, masker: opened.masker, correlationId } };
  } catch (e: unknown) {
    if (e instanceof TemplateError) {
      return { ok: false, correlationId, error: failure('task', 'TEMPLATE_ERROR', opened.masker.mask(e.message), { retryable: false }) };
    }
    if (e instanceof RunledgerError)
      return { ok: false, correlationId, error: failure('internal', e.code, e.message, { retryable: false }) };
    throw e;
  }
}
