import type { Transaction } from 'kysely';
import { planExecution } from '../domain/execution-plan.ts';
import type { ExecutionPlan, PlannedRun } from '../domain/execution-plan-model.ts';
import { isTerminalExecutionStatus, type ExecutionStatus } from '../domain/execution-status.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, ExecutionContextSnapshot, TaskRun } from '../domain/records.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { workerActor } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { eraseSealedOutputs, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { markClaimable } from '../store/task-claim-repository.ts';
import { listTaskRunsByExecution } from '../store/task-run-repository.ts';
import { lockExecution, needsEveryRun, readRunsForPlanning, type PlanningRead } from './planning-reads.ts';
import type { EngineDeps } from './engine-deps.ts';
import { changeExecutionStatus, type ExecutionStatusChange } from './execution-state-change.ts';
import { MASK } from './masker.ts';
import { extraStepDefinition } from './record-editor.ts';
import { endParentTaskRun } from './child-executions.ts';
import { conditionEvaluator, executionFields, taskOutputs } from './flow-context.ts';
import { finishForEach } from './for-each-runs.ts';
import { startOnFailurePhase } from './on-failure-phase.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { TxHooks } from './state-writer.ts';
import { createPendingTaskRuns, transitionTaskRun } from './task-run-transition.ts';
import { renderValue, TemplateError, triggerValuesOf } from './template.ts';

/** What the scheduler needs of the engine's parts. */
export type PlanningDeps = Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>;

export interface PlanningResult {
  /** The status the execution has after this pass (its terminal status if it ended). */
  status: ExecutionStatus | null;
  /** Runs made claimable now or later (retries): workers are woken. */
  scheduled: number;
  /** With `holdReady`: the runs found ready and not marked claimable; the caller claims them or marks them. */
  heldReady: string[];
}

export interface PlanningOptions {
  /**
   * Leave the runs found ready unmarked (`heldReady`): the caller claims them in its next statement
   * (`claimTaskRuns` with `ready`), which marks those it does not take.
   */
  holdReady?: boolean;
  /** The execution's task runs as this transaction has just written or read them (saves a read). */
  read?: PlanningRead;
  /**
   * An end's status change waits here, for the caller to write with others (`writeHeldStatusChanges`)
   * before anything else in the transaction reads the execution. Not for a child execution: its
   * parent is planned right after, in this transaction.
   */
  heldEnds?: ExecutionStatusChange[];
}

/**
 * Plans an execution and applies the plan, in the caller's transaction: every transaction that
 * changes something about an execution (a task reported, a person completed a step, a stop request,
 * a claim) ends with this, so the next step is decided by whichever process made the change and
 * no process owns an execution. On PostgreSQL the execution's row is locked first, so plans of one
 * execution never interleave.
 */
export async function planAndApply(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: PlanningDeps,
  executionId: string,
  now: string,
  /** The execution as the caller read it under its lock in this transaction, if it did (saves a read). */
  locked?: ExecutionSchedule,
  options: PlanningOptions = {},
): Promise<PlanningResult> {
  const schedule = locked ?? (await lockExecution(trx, deps.caps, executionId));
  if (!schedule) return { status: null, scheduled: 0, heldReady: [] };
  if (isTerminalExecutionStatus(schedule.status)) return { status: schedule.status, scheduled: 0, heldReady: [] };
  const worker = workerActor(deps.workerId);
  const log = SchedulerLog.of(tx, deps);
  const version = await deps.versions.get(trx, schedule.workflowId, schedule.workflowVersion);
  if (!version) {
    const error = failure('internal', 'VERSION_MISSING', `workflow version ${schedule.workflowId}@${schedule.workflowVersion} is missing`, {
      retryable: false,
    });
    await endExecution(trx, schedule, { status: 'failed', error }, [], now, worker, log);
    tellEnded(tx, deps, schedule, 'failed', now);
    return { status: 'failed', scheduled: 0, heldReady: [] };
  }
  const onFailure = version.definition.on_failure ?? [];
  const decide = (runs: readonly TaskRun[], settledItems?: ReadonlyMap<string, number>) => {
    const tasks = tasksOf([...version.definition.tasks, ...onFailure], runs);
    const evaluate = conditionEvaluator(schedule, runs);
    let evaluated = false;
    const plan = planExecution({
      tasks: [...tasks.values()].filter((t) => !onFailure.includes(t)),
      onFailure,
      runs: runs.map(plannedRun),
      settledItems,
      status: schedule.status,
      isRecord: schedule.trigger === 'manual',
      stop: schedule.stop,
      now: Date.parse(now),
      evaluate: (task) => {
        evaluated = true;
        return evaluate(task);
      },
    });
    return { tasks, plan, evaluated };
  };
  const read = options.read ?? (await readRunsForPlanning(trx, executionId, version.definition));
  let runs = [...read.runs];
  const first = decide(runs, read.settledItems);
  let { tasks, plan } = first;
  if (!read.complete && needsEveryRun(plan, first.evaluated)) {
    runs = await listTaskRunsByExecution(trx, executionId);
    ({ tasks, plan } = decide(runs));
  }
  const holdReady = options.holdReady === true && !plan.end && !plan.startOnFailure;
  const applied = await applyPlan(trx, deps, { schedule, tasks, runs, plan, now, worker, log, holdReady });
  if (plan.startOnFailure) {
    await startOnFailurePhase(trx, { schedule, tasks: onFailure, now, actor: worker, workerId: deps.workerId, log });
    return planAndApply(trx, tx, deps, executionId, now, schedule);
  }
  let status = plan.end?.status ?? plan.status ?? schedule.status;
  if (plan.end) {
    const held = schedule.parentTaskRunId === null ? options.heldEnds : undefined;
    await endExecution(trx, schedule, plan.end, applied, now, stopActor(schedule) ?? worker, log, held);
    // A child's end is its parent task's: recorded in the same transaction, then the parent is planned.
    if (schedule.parentTaskRunId !== null) {
      await endParentTaskRun(trx, tx, deps, schedule, plan.end, applied, now, (parent) =>
        planAndApply(trx, tx, deps, parent.id, now, parent),
      );
    }
  } else if (plan.status) {
    await changeExecutionStatus(trx, {
      executionId,
      from: schedule.status,
      to: plan.status,
      changes: schedule.startedAt ? { updatedAt: now } : { startedAt: now, updatedAt: now },
      actor: worker,
      ...(schedule.status === 'pending' ? { eventType: 'STARTED' } : {}),
    });
    if (schedule.status === 'pending') log.add(executionId, 'INFO', `execution started`);
    if (schedule.status !== 'pending' || plan.status === 'waiting') log.add(executionId, 'INFO', `execution ${plan.status}`);
  } else {
    status = schedule.status;
  }
  const scheduled = plan.ready.length + plan.retry.length;
  if (scheduled > 0) deps.signals.send(tx, 'work', [executionId]);
  if (plan.retry.length > 0) transactionsWithRetries.add(tx);
  if (plan.end) {
    deps.signals.send(tx, 'ended', [executionId]);
    tellEnded(tx, deps, schedule, plan.end.status, now);
  }
  return { status, scheduled, heldReady: holdReady ? plan.ready : [] };
}

/** Transactions that scheduled a retry: its backoff ends later, so the workers must hear of it. */
const transactionsWithRetries = new WeakSet<TxHooks>();

/** Whether a plan in this transaction scheduled a retry (waiting for its backoff). */
export function scheduledRetries(tx: TxHooks): boolean {
  return transactionsWithRetries.has(tx);
}

/** Observers hear of the end once it has committed, in this process only (the one that ended it). */
function tellEnded(tx: TxHooks, deps: PlanningDeps, schedule: ExecutionSchedule, status: ExecutionStatus, now: string): void {
  tx.afterCommit(() =>
    deps.events.executionEnded({
      executionId: schedule.id,
      workflowId: schedule.workflowId,
      workflowVersion: schedule.workflowVersion,
      status,
      correlationId: schedule.correlationId,
      createdAt: schedule.createdAt,
      completedAt: now,
    }),
  );
}

/** The definition's tasks, and the steps people added to this execution (known only from their runs). */
function tasksOf(defined: readonly TaskDefinition[], runs: readonly TaskRun[]): Map<string, TaskDefinition> {
  const tasks = new Map(defined.map((t) => [t.id, t]));
  for (const run of runs) if (!tasks.has(run.taskId)) tasks.set(run.taskId, extraStepDefinition(run));
  return tasks;
}

function plannedRun(run: TaskRun): PlannedRun {
  return {
    id: run.id,
    taskId: run.taskId,
    attempt: run.attempt,
    status: run.status,
    availableAt: run.availableAt,
    error: run.error,
    phase: run.phase,
    itemIndex: run.itemIndex,
  };
}

/** The person who asked for the stop, as the actor of what it ends. */
function stopActor(schedule: ExecutionSchedule): Actor | null {
  const a = schedule.stop?.actorRecord;
  if (!a) return null;
  return {
    kind: a.kind === 'token' ? 'token' : 'user',
    userId: typeof a.userId === 'string' ? a.userId : null,
    username: typeof a.username === 'string' ? a.username : null,
    role: null,
    ...(typeof a.tokenId === 'string' ? { tokenId: a.tokenId } : {}),
  };
}

interface ApplyInput {
  schedule: ExecutionSchedule;
  tasks: Map<string, TaskDefinition>;
  runs: TaskRun[];
  plan: ExecutionPlan;
  now: string;
  worker: Actor;
  log: SchedulerLog;
  /** Leave the ready runs unmarked (see `PlanningOptions`). */
  holdReady: boolean;
}

/** Writes each decision with its transition and audit event; returns every run as it now stands. */
async function applyPlan(trx: Transaction<Database>, deps: PlanningDeps, input: ApplyInput): Promise<TaskRun[]> {
  const { schedule, tasks, plan, now, worker, log } = input;
  const current = new Map(input.runs.map((r) => [r.id, r]));
  const correlationId = schedule.correlationId ?? schedule.id;
  const metadata = { workerId: deps.workerId, correlationId };

  for (const retry of plan.retry) {
    const task = tasks.get(retry.taskId)!;
    const previous = current.get(retry.previousRunId)!;
    const what = previous.itemIndex === null ? `task ${retry.taskId}` : `task ${retry.taskId} item ${previous.itemIndex}`;
    const [created] = await createPendingTaskRuns(
      trx,
      [
        {
          id: newId(),
          executionId: schedule.id,
          taskId: retry.taskId,
          type: task.type,
          attempt: retry.attempt,
          status: 'pending',
          createdAt: now,
          availableAt: new Date(retry.availableAt).toISOString(),
          phase: previous.phase,
          itemIndex: previous.itemIndex,
          item: previous.item,
        },
      ],
      { reason: retry.reason, previousTaskRunId: retry.previousRunId, ...metadata },
      worker,
    );
    current.set(created!.id, created!);
    const inMs = Math.max(0, retry.availableAt - Date.parse(now));
    const limit = task.retry ? ` of ${task.retry.max + 1}` : '';
    log.add(
      schedule.id,
      'WARN',
      `${what} will retry: attempt ${retry.attempt}${limit} in ${inMs} ms (attempt ${previous.attempt} ${previous.status}: ${previous.error?.code ?? ''})`,
      created!.id,
    );
  }

  const endRuns = async (
    decisions: ReadonlyArray<{ runId: string; error: TaskFailure }>,
    to: 'skipped' | 'cancelled' | 'failed',
    actor: Actor,
  ) => {
    for (const { runId, error } of decisions) {
      const run = current.get(runId)!;
      const ended = await transitionTaskRun(trx, {
        run,
        to,
        changes: { error, completedAt: now, durationMs: run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null },
        metadata: { error, ...metadata },
        actor,
        now,
      });
      current.set(runId, ended);
      log.add(schedule.id, LEVEL_OF_END[to], `${describeRun(run)} ${to}: ${error.message}`, runId);
    }
  };
  await endRuns(plan.skip, 'skipped', worker);
  await endRuns(plan.fail, 'failed', worker);
  await endRuns(plan.cancel, 'cancelled', stopActor(schedule) ?? worker);
  for (const { runId, expression } of plan.conditions) {
    log.add(schedule.id, 'INFO', `task ${current.get(runId)!.taskId}: if "${expression}" is true`, runId);
  }
  for (const decision of plan.finishGroups)
    current.set(decision.runId, await finishForEach(trx, decision, [...current.values()], metadata, worker, now, log));

  if (!input.holdReady) await markClaimable(trx, plan.ready, now);
  for (const runId of plan.ready) current.set(runId, { ...current.get(runId)!, availableAt: now, updatedAt: now });

  for (const runId of plan.waitForPerson) {
    const run = current.get(runId)!;
    const task = tasks.get(run.taskId)!;
    let input: unknown;
    try {
      // The stored values are masked, and so is what a person sees: render with them (secrets as ***).
      input = renderValue(task.with, {
        inputs: schedule.inputs,
        tasks: taskOutputs([...current.values()]),
        secrets: () => MASK,
        trigger: triggerValuesOf(schedule),
        execution: executionFields(schedule),
      });
    } catch (e: unknown) {
      if (!(e instanceof TemplateError)) throw e;
      const error = failure('task', 'TEMPLATE_ERROR', e.message, { retryable: false });
      current.set(
        runId,
        await transitionTaskRun(trx, {
          run,
          to: 'failed',
          changes: { error, completedAt: now },
          metadata: { error, ...metadata },
          actor: worker,
          now,
        }),
      );
      log.add(schedule.id, 'ERROR', `manual step ${run.taskId} failed: ${e.message}`, runId);
      continue;
    }
    current.set(
      runId,
      await transitionTaskRun(trx, { run, to: 'waiting', changes: { input, startedAt: now }, metadata, actor: worker, now }),
    );
    log.add(schedule.id, 'INFO', `manual step ${run.taskId} waiting for a person`, runId);
  }
  return [...current.values()];
}

const LEVEL_OF_END = { skipped: 'INFO', cancelled: 'WARN', failed: 'ERROR' } as const;

function describeRun(run: TaskRun): string {
  return run.itemIndex === null ? `task ${run.taskId}` : `task ${run.taskId} item ${run.itemIndex}`;
}

/** Ends the execution with its context snapshot, and erases its sealed secrets (crypto-shredding). */
async function endExecution(
  trx: Transaction<Database>,
  schedule: ExecutionSchedule,
  end: NonNullable<ExecutionPlan['end']>,
  runs: readonly TaskRun[],
  now: string,
  actor: Actor,
  log: SchedulerLog,
  held?: ExecutionStatusChange[],
): Promise<void> {
  const startedAt = schedule.startedAt ?? schedule.createdAt;
  log.add(
    schedule.id,
    end.status === 'completed' ? 'INFO' : 'ERROR',
    `execution ${end.status}${end.error ? `: ${end.error.message}` : ''}`,
  );
  await changeExecutionStatus(
    trx,
    {
      executionId: schedule.id,
      from: schedule.status,
      to: end.status,
      // Crypto-shredding: the sealed secret inputs are erased with the end, the sealed outputs below.
      changes: { error: end.error, context: snapshot(schedule, runs), completedAt: now, sealedSecrets: null, updatedAt: now },
      actor,
      metadata: { durationMs: Date.parse(now) - Date.parse(startedAt), ...(end.error ? { error: end.error } : {}) },
    },
    held,
  );
  if (runs.some((r) => r.outputSealed)) await eraseSealedOutputs(trx, schedule.id);
}

function snapshot(schedule: ExecutionSchedule, runs: readonly TaskRun[]): ExecutionContextSnapshot {
  const tasks: ExecutionContextSnapshot['tasks'] = {};
  for (const run of [...runs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (run.itemIndex !== null) continue; // a for_each task's own run holds its items' outputs
    const seen = tasks[run.taskId];
    if (!seen || run.attempt >= seen.attempt) tasks[run.taskId] = { status: run.status, attempt: run.attempt, output: run.output };
  }
  return { inputs: schedule.inputs, tasks };
}
