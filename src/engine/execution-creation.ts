import type { Transaction } from 'kysely';
import type { Database } from '../store/database-schema.ts';
import { parseDurationMs } from '../domain/duration.ts';
import { InvalidInputsError, WorkflowNotFoundError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Execution, Trigger, Workflow, WorkflowVersion } from '../domain/records.ts';
import { resolveInputs } from '../domain/resolve-inputs.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent, startChain } from '../observe/audit-logger.ts';
import { insertExecution } from '../store/execution-repository.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { getWorkflow } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { maskInputs, sealSecretInputs, secretInputNames } from './execution-secrets.ts';
import { Masker } from './masker.ts';
import { defaultRecordTitle } from './record-editor.ts';
import { SchedulerLog } from './scheduler-log.ts';
import { secretValues } from './secret-values.ts';
import type { StateChange } from './state-writer.ts';
import { createPendingTaskRuns } from './task-run-transition.ts';

/** What one execution is started with, beside its workflow version. */
export interface RunRequest {
  inputs: Record<string, unknown>;
  title?: string | null | undefined;
  correlationId?: string | null | undefined;
  trigger: Trigger;
  actor: Actor;
  /** The run request's W3C trace headers: the execution joins the caller's trace (when traces are on). */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  /** The trigger of the definition that started it (for `schedule` and `webhook`). */
  triggerId?: string | undefined;
  /** A webhook's JSON body: masked like the inputs and kept with the execution (`{{ trigger.body }}`). */
  triggerBody?: unknown;
  /** More for the CREATED audit event: what a trigger knows of the start (its due time, the caller's address). */
  auditDetails?: Record<string, unknown> | undefined;
}

/**
 * Runs first in the transaction that records the execution. Returning false records nothing: the
 * fire it stands for was claimed by another process.
 */
/**
 * What a start answers: the execution's id, its status once planned (pending, or already ended when
 * nothing in it could run) and its title. Built from what the transaction wrote, not read back.
 */
export type StartedExecution = Pick<Execution, 'id' | 'status' | 'title'>;

export type StartClaim = (trx: Transaction<Database>, executionId: string, now: string) => Promise<boolean>;

/** The workflow and the version of it a run request names (the latest when none is given). */
export async function versionToRun(
  deps: EngineDeps,
  workflowId: string,
  requested: number | undefined,
): Promise<{ workflow: Workflow; version: WorkflowVersion }> {
  const workflow = await getWorkflow(deps.db, workflowId);
  if (!workflow) throw new WorkflowNotFoundError(workflowId);
  const version = await deps.versions.get(deps.db, workflow.id, requested ?? workflow.latestVersion);
  if (!version) throw new WorkflowNotFoundError(`${workflowId}@${requested}`);
  return { workflow, version };
}

/**
 * The state change that records one execution: its row, its pending task runs, its CREATED audit
 * event and its first plan. Inputs are resolved (and an `InvalidInputsError` thrown) here, before
 * anything is written; secrets are masked and sealed here too, so the change carries no clear secret.
 */
export function executionCreation(
  deps: EngineDeps,
  workflow: Workflow,
  version: WorkflowVersion,
  req: RunRequest,
): StateChange<StartedExecution> {
  return claimedExecutionCreation(deps, workflow, version, req, null) as StateChange<StartedExecution>;
}

/** `executionCreation`, in one transaction with `claim` (null when the claim was lost: nothing is recorded). */
export function claimedExecutionCreation(
  deps: EngineDeps,
  workflow: Workflow,
  version: WorkflowVersion,
  req: RunRequest,
  claim: StartClaim | null,
): StateChange<StartedExecution | null> {
  const { definition } = version;
  const inputs = resolveInputs(definition, req.inputs);
  const masker = new Masker(secretValues(definition, inputs, deps.env));
  const maskedInputs = maskInputs(definition, inputs, masker);
  const sealedSecrets = sealSecretInputs(deps.secrets, definition, inputs);
  const id = newId();
  const correlationId = req.correlationId === undefined || req.correlationId === null ? null : masker.mask(req.correlationId);
  const callerTrace = deps.tracing?.callerTrace(req.traceparent, req.tracestate && masker.mask(req.tracestate)) ?? null;
  const triggerBody = req.triggerBody === undefined ? undefined : masker.maskValue(req.triggerBody);
  return async (trx, tx) => {
    const now = nowIso();
    if (claim && !(await claim(trx, id, now))) return null;
    const timeoutMs = definition.timeout ? parseDurationMs(definition.timeout) : undefined;
    const title = req.title
      ? masker.mask(req.title)
      : req.trigger === 'manual'
        ? masker.mask(defaultRecordTitle(definition, inputs, now))
        : null;
    const deadlineAt = timeoutMs === undefined ? null : new Date(Date.parse(now) + timeoutMs).toISOString();
    await insertExecution(trx, {
      id,
      workflowId: workflow.id,
      workflowVersion: version.version,
      trigger: req.trigger,
      triggeredBy: req.actor.userId,
      correlationId,
      title,
      inputs: maskedInputs,
      unsearchableInputs: secretInputNames(definition),
      createdAt: now,
      sealedSecrets,
      deadlineAt,
      triggerId: req.triggerId ?? null,
      triggerBody,
    });
    // Its audit chain starts in this transaction: the head is created with the first event.
    startChain(trx, 'execution', id);

    const runs = await createPendingTaskRuns(
      trx,
      definition.tasks.map((t) => ({
        id: newId(),
        executionId: id,
        taskId: t.id,
        type: t.type,
        attempt: 1,
        status: 'pending' as const,
        createdAt: now,
      })),
      { reason: 'execution created', workerId: deps.workerId, correlationId: correlationId ?? id },
      req.actor,
    );
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: id,
      executionId: id,
      eventType: 'CREATED',
      actor: req.actor,
      metadata: {
        workflowId: workflow.id,
        workflowVersion: version.version,
        trigger: req.trigger,
        ...(req.triggerId === undefined ? {} : { triggerId: req.triggerId }),
        inputs: maskedInputs,
        correlationId,
        title,
        ...req.auditDetails,
        // Kept here so that the process that runs or ends the execution continues the caller's trace.
        ...(callerTrace ? { trace: callerTrace } : {}),
      },
    });
    const log = SchedulerLog.of(tx, deps);
    log.add(
      id,
      'INFO',
      `execution created: workflow ${workflow.id} v${version.version}, trigger ${req.trigger}${req.triggerId === undefined ? '' : ` ${req.triggerId}`}, by ${req.actor.username ?? 'system'}`,
    );
    // Planned from what this transaction has just written (nobody else sees the execution yet).
    const created: ExecutionSchedule = {
      id,
      workflowId: workflow.id,
      workflowVersion: version.version,
      status: 'pending',
      trigger: req.trigger,
      correlationId,
      inputs: maskedInputs,
      createdAt: now,
      startedAt: null,
      deadlineAt,
      stop: null,
      sealedSecrets,
      triggerId: req.triggerId ?? null,
      triggerBody,
      triggeredBy: req.actor.userId,
      parentExecutionId: null,
      parentTaskRunId: null,
    };
    const planned = await planAndApply(trx, tx, deps, id, now, created, { runs });
    tx.afterCommit(() => deps.events.executionStarted({ executionId: id, workflowId: workflow.id }));
    return { id, status: planned.status ?? 'pending', title };
  };
}

/**
 * Task runs one transaction of a bulk start creates at most. Every new task run adds rows (its
 * transition, audit events, log lines) to statements that both dialects bound (SQLite 32,766 and
 * PostgreSQL 65,535 parameters a statement); 1,000 one-task executions fit in one transaction.
 */
export const TASK_RUNS_PER_TRANSACTION = 1000;

/**
 * The state changes recording every run of `runs`, in order: every input set is resolved first, and
 * the bad ones are reported together, each problem prefixed by its run's index (`runs[3].inputs.server:
 * required`), before anything is written. The executions are grouped so that one change creates at
 * most `TASK_RUNS_PER_TRANSACTION` task runs: 1,000 executions of a one-task workflow are one change.
 */
export function executionsCreation(
  deps: EngineDeps,
  workflow: Workflow,
  version: WorkflowVersion,
  runs: readonly RunRequest[],
): StateChange<StartedExecution[]>[] {
  const changes: StateChange<StartedExecution>[] = [];
  const problems: string[] = [];
  const invalid: number[] = [];
  runs.forEach((run, index) => {
    try {
      changes.push(executionCreation(deps, workflow, version, run));
    } catch (e: unknown) {
      if (!(e instanceof InvalidInputsError)) throw e;
      invalid.push(index);
      problems.push(...e.problems.map((p) => `runs[${index}].${p}`));
    }
  });
  if (invalid.length > 0) throw new InvalidInputsError(problems, { runs: invalid });
  const perGroup = Math.max(1, Math.floor(TASK_RUNS_PER_TRANSACTION / Math.max(1, version.definition.tasks.length)));
  const groups: StateChange<StartedExecution[]>[] = [];
  for (let i = 0; i < changes.length; i += perGroup) {
    const group = changes.slice(i, i + perGroup);
    groups.push(async (trx, tx) => {
      const created: StartedExecution[] = [];
      for (const change of group) created.push(await change(trx, tx));
      return created;
    });
  }
  return groups;
}
