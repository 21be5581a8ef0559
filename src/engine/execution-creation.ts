import type { Transaction } from 'kysely';
import { runsByExecution } from '../domain/runs-by-execution.ts';
import type { Database } from '../store/database-schema.ts';
import { parseDurationMs } from '../domain/duration.ts';
import { InvalidInputsError, WorkflowNotFoundError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Execution, TaskRun, Trigger, Workflow, WorkflowVersion } from '../domain/records.ts';
import { resolveInputs } from '../domain/resolve-inputs.ts';
import { nowIso } from '../domain/time.ts';
import { recordAuditEvent, startChain } from '../observe/audit-logger.ts';
import type { CallerTrace } from '../observe/engine-tracing.ts';
import { insertExecutions, type NewExecution } from '../store/execution-repository.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { getWorkflow } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { maskInputs, sealSecretInputs, secretInputNames } from './execution-secrets.ts';
import { Masker } from './masker.ts';
import { defaultRecordTitle } from './record-editor.ts';
import { SchedulerLog } from './scheduler-log.ts';
import { secretValues } from './secret-values.ts';
import type { StateChange, TxHooks } from './state-writer.ts';
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
 * What a start answers: the execution's id, its status once planned (pending, or already ended when
 * nothing in it could run) and its title. Built from what the transaction wrote, not read back.
 */
export type StartedExecution = Pick<Execution, 'id' | 'status' | 'title'>;

/**
 * Runs first in the transaction that records the execution. Returning false records nothing: the
 * fire it stands for was claimed by another process.
 */
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
  const prepared = prepareExecution(deps, version, { ...req, inputs: resolveInputs(version.definition, req.inputs) });
  return async (trx, tx) => {
    const now = nowIso();
    if (claim && !(await claim(trx, prepared.id, now))) return null;
    return writeExecution(trx, tx, deps, prepared, now);
  };
}

/** What starts an execution, from a person, a trigger or a parent execution's `workflow` task. */
export interface NewExecutionRequest extends RunRequest {
  /** Resolved (defaults applied, types checked), in clear. */
  inputs: Record<string, unknown>;
  /** Whose execution it is (access): the actor's user by default, for a child its parent's owner. */
  triggeredBy?: string | null;
  /** A child execution: the execution and the `workflow` task run that start it. */
  parent?: { executionId: string; taskRunId: string } | undefined;
  /** A child's parent's secrets: an input that carries one is masked and sealed like a secret input. */
  inheritedSecrets?: readonly string[] | undefined;
}

/** An execution ready to be written: id chosen, secrets masked and sealed (outside any transaction). */
export interface PreparedExecution {
  id: string;
  version: WorkflowVersion;
  req: NewExecutionRequest;
  masker: Masker;
  maskedInputs: Record<string, unknown>;
  sealedSecrets: string | null;
  correlationId: string | null;
  callerTrace: CallerTrace | null;
  triggerBody: unknown;
}

export function prepareExecution(
  deps: Pick<EngineDeps, 'env' | 'secrets' | 'tracing'>,
  version: WorkflowVersion,
  req: NewExecutionRequest,
): PreparedExecution {
  const { definition } = version;
  const masker = new Masker([...secretValues(definition, req.inputs, deps.env), ...(req.inheritedSecrets ?? [])]);
  const maskedInputs = maskInputs(definition, req.inputs, masker);
  // An input that carries one of the parent's secrets is kept sealed like a secret input.
  const carriesSecret = req.inheritedSecrets
    ? Object.keys(req.inputs).filter((name) => JSON.stringify(maskedInputs[name]) !== JSON.stringify(req.inputs[name]))
    : [];
  return {
    id: newId(),
    version,
    req,
    masker,
    maskedInputs,
    sealedSecrets: sealSecretInputs(deps.secrets, definition, req.inputs, carriesSecret),
    correlationId: req.correlationId === undefined || req.correlationId === null ? null : masker.mask(req.correlationId),
    callerTrace: deps.tracing?.callerTrace(req.traceparent, req.tracestate && masker.mask(req.tracestate)) ?? null,
    triggerBody: req.triggerBody === undefined ? undefined : masker.maskValue(req.triggerBody),
  };
}

/** Records a prepared execution, its pending task runs and its first plan, in the caller's transaction. */
export async function writeExecution(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>,
  e: PreparedExecution,
  now: string,
): Promise<StartedExecution> {
  const [started] = await writeExecutions(trx, tx, deps, [e], now);
  return started!;
}

/**
 * `writeExecution` for many, in order: the executions, their inputs and their task runs are each one
 * statement for the whole set; then each execution's CREATED event and first plan.
 */
export async function writeExecutions(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>,
  prepared: readonly PreparedExecution[],
  now: string,
): Promise<StartedExecution[]> {
  if (prepared.length === 0) return [];
  const rows = prepared.map((e) => newExecutionRow(e, now));
  const rowOf = new Map(rows.map((row) => [row.id, row]));
  await insertExecutions(trx, rows);
  // Their audit chains start in this transaction: each head is created with the first event.
  for (const { id } of prepared) startChain(trx, 'execution', id);
  const created = await createPendingTaskRuns(
    trx,
    prepared.flatMap(({ id, version }) =>
      version.definition.tasks.map((t) => ({
        id: newId(),
        executionId: id,
        taskId: t.id,
        type: t.type,
        attempt: 1,
        status: 'pending' as const,
        createdAt: now,
      })),
    ),
    (run) => ({
      reason: 'execution created',
      workerId: deps.workerId,
      correlationId: rowOf.get(run.executionId)?.correlationId ?? run.executionId,
    }),
    // Only a retry's creation is audited with its actor; these are first attempts.
    prepared[0]!.req.actor,
  );
  const runsOf = runsByExecution(created);
  const started: StartedExecution[] = [];
  for (const [i, e] of prepared.entries()) {
    started.push(await recordAndPlan(trx, tx, deps, e, rows[i]!, runsOf.get(e.id) ?? [], now));
  }
  return started;
}

function newExecutionRow(
  e: PreparedExecution,
  now: string,
): NewExecution & { title: string | null; deadlineAt: string | null; triggeredBy: string | null } {
  const { id, req, masker, correlationId } = e;
  const { definition, workflowId, version } = e.version;
  const timeoutMs = definition.timeout ? parseDurationMs(definition.timeout) : undefined;
  return {
    id,
    workflowId,
    workflowVersion: version,
    trigger: req.trigger,
    triggeredBy: req.triggeredBy === undefined ? req.actor.userId : req.triggeredBy,
    correlationId,
    title: req.title
      ? masker.mask(req.title)
      : req.trigger === 'manual'
        ? masker.mask(defaultRecordTitle(definition, req.inputs, now))
        : null,
    inputs: e.maskedInputs,
    unsearchableInputs: secretInputNames(definition),
    createdAt: now,
    sealedSecrets: e.sealedSecrets,
    deadlineAt: timeoutMs === undefined ? null : new Date(Date.parse(now) + timeoutMs).toISOString(),
    triggerId: req.triggerId ?? null,
    triggerBody: e.triggerBody,
    parent: req.parent ?? null,
  };
}

/** The CREATED event of an execution just inserted, its first scheduler line, and its first plan. */
async function recordAndPlan(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>,
  e: PreparedExecution,
  row: ReturnType<typeof newExecutionRow>,
  runs: TaskRun[],
  now: string,
): Promise<StartedExecution> {
  const { id, req, correlationId } = e;
  const { workflowId, version } = e.version;
  const { title, triggeredBy, deadlineAt } = row;
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: id,
    executionId: id,
    eventType: 'CREATED',
    actor: req.actor,
    metadata: {
      workflowId,
      workflowVersion: version,
      trigger: req.trigger,
      ...(req.triggerId === undefined ? {} : { triggerId: req.triggerId }),
      inputs: e.maskedInputs,
      correlationId,
      title,
      ...(triggeredBy !== req.actor.userId ? { triggeredBy } : {}),
      ...(req.parent ? { parentExecutionId: req.parent.executionId, parentTaskRunId: req.parent.taskRunId } : {}),
      ...req.auditDetails,
      // Kept here so that the process that runs or ends the execution continues the caller's trace.
      ...(e.callerTrace ? { trace: e.callerTrace } : {}),
    },
  });
  const by = req.parent ? `task run ${req.parent.taskRunId} of execution ${req.parent.executionId}` : (req.actor.username ?? 'system');
  SchedulerLog.of(tx, deps).add(
    id,
    'INFO',
    `execution created: workflow ${workflowId} v${version}, trigger ${req.trigger}${req.triggerId === undefined ? '' : ` ${req.triggerId}`}, by ${by}`,
  );
  // Planned from what this transaction has just written (nobody else sees the execution yet).
  const created: ExecutionSchedule = {
    id,
    workflowId,
    workflowVersion: version,
    status: 'pending',
    trigger: req.trigger,
    correlationId,
    inputs: e.maskedInputs,
    createdAt: now,
    startedAt: null,
    deadlineAt,
    stop: null,
    sealedSecrets: e.sealedSecrets,
    triggerId: req.triggerId ?? null,
    triggerBody: e.triggerBody,
    triggeredBy,
    parentExecutionId: req.parent?.executionId ?? null,
    parentTaskRunId: req.parent?.taskRunId ?? null,
  };
  const planned = await planAndApply(trx, tx, deps, id, now, created, { read: { runs, complete: true } });
  tx.afterCommit(() => deps.events.executionStarted({ executionId: id, workflowId }));
  return { id, status: planned.status ?? 'pending', title };
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
  const prepared: PreparedExecution[] = [];
  const problems: string[] = [];
  const invalid: number[] = [];
  runs.forEach((run, index) => {
    try {
      prepared.push(prepareExecution(deps, version, { ...run, inputs: resolveInputs(version.definition, run.inputs) }));
    } catch (e: unknown) {
      if (!(e instanceof InvalidInputsError)) throw e;
      invalid.push(index);
      problems.push(...e.problems.map((p) => `runs[${index}].${p}`));
    }
  });
  if (invalid.length > 0) throw new InvalidInputsError(problems, { runs: invalid });
  const perGroup = Math.max(1, Math.floor(TASK_RUNS_PER_TRANSACTION / Math.max(1, version.definition.tasks.length)));
  const groups: StateChange<StartedExecution[]>[] = [];
  for (let i = 0; i < prepared.length; i += perGroup) {
    const group = prepared.slice(i, i + perGroup);
    groups.push((trx, tx) => writeExecutions(trx, tx, deps, group, nowIso()));
  }
  return groups;
}
