import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { Actor, TaskRun } from '../domain/records.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { updateExecution } from '../store/execution-repository.ts';
import { updateTaskRun } from '../store/task-run-repository.ts';
import { createPendingTaskRuns, transitionTaskRun } from './task-run-transition.ts';

/**
 * The writes a person makes to a record that are not state changes: title and notes of the record,
 * notes of a step, an extra step. Each commits with its audit event (who, what before, what after).
 * Values arrive masked: the runner that owns the execution holds the secrets.
 */

/** Task ids of steps a person adds while following a procedure: `extra_1`, `extra_2`, … */
const EXTRA_STEP = /^extra_(\d+)$/;

/** The next free `extra_N` id, given the task ids the execution already has. */
export function nextExtraStepId(taskIds: Iterable<string>): string {
  let max = 0;
  for (const id of taskIds) {
    const m = EXTRA_STEP.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `extra_${max + 1}`;
}

/**
 * The definition of a step that is not in the workflow version: a manual step with its description,
 * rebuilt from the task run (the description is its input), so recovery needs nothing else.
 */
export function extraStepDefinition(run: Pick<TaskRun, 'taskId' | 'input'>): TaskDefinition {
  const input = run.input !== null && typeof run.input === 'object' ? (run.input as Record<string, unknown>) : {};
  return {
    id: run.taskId,
    type: 'manual',
    needs: [],
    with: { description: typeof input.description === 'string' ? input.description : '' },
  };
}

export interface RecordFieldChanges {
  title?: string | undefined;
  notes?: string | undefined;
}

/** Title and overall notes ("save draft": the status does not change). */
export async function updateRecordFields(
  trx: Transaction<Database>,
  executionId: string,
  before: { title: string | null; notes: string | null },
  changes: RecordFieldChanges,
  actor: Actor,
  now: string,
): Promise<void> {
  await updateExecution(trx, executionId, { title: changes.title, notes: changes.notes, updatedAt: now });
  const changed = Object.fromEntries(
    (['title', 'notes'] as const).filter((k) => changes[k] !== undefined).map((k) => [k, { before: before[k], after: changes[k] }]),
  );
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: executionId,
    executionId,
    eventType: 'RECORD_UPDATED',
    actor,
    metadata: changed,
  });
}

export async function updateStepNotes(
  trx: Transaction<Database>,
  run: TaskRun,
  notes: string,
  actor: Actor,
  now: string,
): Promise<TaskRun> {
  await updateTaskRun(trx, run.id, { notes, updatedAt: now });
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: run.executionId,
    executionId: run.executionId,
    eventType: 'STEP_NOTES_UPDATED',
    actor,
    metadata: { taskRunId: run.id, taskId: run.taskId, before: run.notes, after: notes },
  });
  return { ...run, notes, updatedAt: now };
}

/** A manual step a person adds to the record, waiting for them at once. */
export async function createExtraStep(
  trx: Transaction<Database>,
  req: { executionId: string; taskId: string; description: string; workerId: string; correlationId: string },
  actor: Actor,
  now: string,
): Promise<TaskRun> {
  const [run] = await createPendingTaskRuns(
    trx,
    [{ id: newId(), executionId: req.executionId, taskId: req.taskId, type: 'manual', attempt: 1, status: 'pending', createdAt: now }],
    { reason: 'step added by a person', workerId: req.workerId, correlationId: req.correlationId },
    actor,
  );
  const input = { description: req.description };
  // Straight to waiting, in the same transaction: the person can complete it as soon as it is there.
  const waiting = await transitionTaskRun(trx, {
    run: run!,
    to: 'waiting',
    changes: { input, startedAt: now, workerId: req.workerId },
    metadata: { workerId: req.workerId, correlationId: req.correlationId },
    actor,
    now,
  });
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: req.executionId,
    executionId: req.executionId,
    eventType: 'STEP_ADDED',
    actor,
    metadata: { taskRunId: run!.id, taskId: req.taskId, description: req.description },
  });
  return waiting;
}

/**
 * The default title of a human-run record: procedure name, UTC date and the key variables (the
 * required inputs that are not secret, else the first few that are not), e.g.
 * `Deploy a service · 2026-12-02 · server=web-01`.
 */
export function defaultRecordTitle(
  definition: { name: string; inputs: Record<string, { required?: boolean | undefined; secret?: boolean | undefined }> },
  inputs: Record<string, unknown>,
  now: string,
): string {
  const shown = (key: string) => !definition.inputs[key]?.secret && ['string', 'number', 'boolean'].includes(typeof inputs[key]);
  const keys = Object.keys(definition.inputs).filter(shown);
  const required = keys.filter((k) => definition.inputs[k]?.required);
  const key = (required.length > 0 ? required : keys).slice(0, 3).map((k) => `${k}=${String(inputs[k])}`);
  return [definition.name, now.slice(0, 10), ...(key.length > 0 ? [key.join(', ')] : [])].join(' · ');
}
