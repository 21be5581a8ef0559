import { parseDurationMs } from './duration.ts';
import { isTerminalExecutionStatus, type ExecutionStatus } from './execution-status.ts';
import { failure, type TaskFailure } from './task-failure.ts';
import { isTerminalTaskRunStatus, type TaskRunStatus } from './task-run-status.ts';
import type { TaskDefinition } from './workflow-definition.ts';

/**
 * The planner: from an execution's definition, its task runs and any stop request it decides what
 * happens next — which runs become ready (claimable by a worker) or wait for a person, which are
 * skipped, cancelled or retried, and whether the execution changes status or ends. Pure: no I/O, no
 * clock (the caller passes `now`), so every decision the engine makes is a function of stored rows.
 */

/**
 * Why an execution is being stopped: a person cancelled it, its deadline passed, or a person ended a
 * human-run record (completed once every step has ended, or failed).
 */
export const STOP_KINDS = ['cancelled', 'timed_out', 'failed_record', 'completed_record'] as const;
export type StopKind = (typeof STOP_KINDS)[number];

export interface StopRequest {
  kind: StopKind;
  reason: string;
  /** Who asked, as shown in messages (a username); absent for the deadline. */
  actor?: string | null | undefined;
}

/** What the planner needs of one task run (one attempt). */
export interface PlannedRun {
  id: string;
  taskId: string;
  attempt: number;
  status: TaskRunStatus;
  /** For a pending run: when it became (or becomes) claimable; null until its dependencies succeeded. */
  availableAt: string | null;
  error: Pick<TaskFailure, 'code' | 'message' | 'retryable'> | null;
}

export interface PlanInput {
  /** The definition's tasks and any steps a person added (manual, without dependencies). */
  tasks: readonly TaskDefinition[];
  /** Every attempt of every task. */
  runs: readonly PlannedRun[];
  status: ExecutionStatus;
  /** A human-run record: it stays running until a person completes or fails it. */
  isRecord: boolean;
  stop: StopRequest | null;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface RetryDecision {
  taskId: string;
  previousRunId: string;
  attempt: number;
  /** When the new attempt becomes claimable (now + backoff). */
  availableAt: number;
  reason: string;
}

export interface ExecutionPlan {
  /** Pending automated runs whose dependencies all succeeded: claimable from now on. */
  ready: string[];
  /** Pending manual runs whose dependencies all succeeded: they now wait for a person. */
  waitForPerson: string[];
  /** Pending runs that will never run because a dependency did not succeed. */
  skip: Array<{ runId: string; error: TaskFailure }>;
  /** Pending and waiting runs ended because the execution is being stopped. */
  cancel: Array<{ runId: string; error: TaskFailure }>;
  /** New attempts of runs that failed and whose policy allows another. */
  retry: RetryDecision[];
  /** A status change that does not end the execution (`running` ⇄ `waiting`), or null. */
  status: ExecutionStatus | null;
  /** The execution ends: with which status and why. */
  end: { status: Extract<ExecutionStatus, 'completed' | 'failed' | 'cancelled' | 'timed_out'>; error: TaskFailure | null } | null;
}

/** Attempts handed back by a stopping worker are re-run regardless of the retry policy, this many times at most. */
export const MAX_HAND_BACKS = 3;

/** The error code of an attempt a stopping worker handed back (it did not fail by itself). */
export const HANDED_BACK = 'WORKER_STOPPED';

export function planExecution(input: PlanInput): ExecutionPlan {
  const plan: ExecutionPlan = { ready: [], waitForPerson: [], skip: [], cancel: [], retry: [], status: null, end: null };
  if (isTerminalExecutionStatus(input.status)) return plan;

  const tasks = new Map(input.tasks.map((t) => [t.id, t]));
  const attempts = groupAttempts(input.runs);
  /** The status each task's latest attempt will have once this plan is applied. */
  const outcome = new Map<string, TaskRunStatus>();
  for (const [taskId, runs] of attempts) outcome.set(taskId, runs[runs.length - 1]!.status);

  if (input.stop) {
    for (const runs of attempts.values()) {
      const latest = runs[runs.length - 1]!;
      if (latest.status === 'pending' || latest.status === 'waiting') {
        plan.cancel.push({ runId: latest.id, error: failure('cancelled', 'CANCELLED', input.stop.reason, { retryable: false }) });
        outcome.set(latest.taskId, 'cancelled');
      }
    }
    if ([...outcome.values()].some((s) => s === 'running')) return plan; // their workers stop them and report
    plan.end = stoppedEnd(input.stop);
    return plan;
  }

  // Retries first: a dependency that will be retried has not failed yet.
  for (const [taskId, runs] of attempts) {
    const latest = runs[runs.length - 1]!;
    const decision = retryOf(tasks.get(taskId), latest, runs, input.now);
    if (decision) {
      plan.retry.push(decision);
      outcome.set(taskId, 'pending');
    }
  }

  // Topological order makes one pass enough: a skip reaches every task downstream of it.
  for (const taskId of orderOf(input.tasks)) {
    const runs = attempts.get(taskId);
    const task = tasks.get(taskId)!;
    const latest = runs?.[runs.length - 1];
    if (!latest || latest.status !== 'pending' || latest.availableAt !== null) continue;
    if (plan.retry.some((r) => r.taskId === taskId)) continue;
    const failed = task.needs.find((need) => {
      const s = outcome.get(need);
      return s !== undefined && isTerminalTaskRunStatus(s) && s !== 'succeeded';
    });
    if (failed !== undefined) {
      plan.skip.push({
        runId: latest.id,
        error: failure('skipped', 'DEPENDENCY_FAILED', `skipped: dependency ${failed} did not succeed`, { retryable: false }),
      });
      outcome.set(taskId, 'skipped');
    } else if (task.needs.every((need) => outcome.get(need) === 'succeeded')) {
      if (task.type === 'manual') {
        plan.waitForPerson.push(latest.id);
        outcome.set(taskId, 'waiting');
      } else {
        plan.ready.push(latest.id);
      }
    }
  }

  const statuses = [...outcome.values()];
  if (statuses.every(isTerminalTaskRunStatus) && !input.isRecord) {
    plan.end = finishedEnd(input.tasks, outcome, attempts);
    return plan;
  }
  const desired = desiredStatus(input, statuses, plan.ready.length > 0 || hasClaimable(attempts));
  if (desired !== input.status) plan.status = desired;
  return plan;
}

/** Attempts per task, oldest first. */
function groupAttempts(runs: readonly PlannedRun[]): Map<string, PlannedRun[]> {
  const byTask = new Map<string, PlannedRun[]>();
  for (const run of runs) {
    const list = byTask.get(run.taskId) ?? [];
    list.push(run);
    byTask.set(run.taskId, list);
  }
  for (const list of byTask.values()) list.sort((a, b) => a.attempt - b.attempt);
  return byTask;
}

function retryOf(task: TaskDefinition | undefined, latest: PlannedRun, runs: readonly PlannedRun[], now: number): RetryDecision | null {
  if (!task || (latest.status !== 'failed' && latest.status !== 'timed_out')) return null;
  const next = { taskId: latest.taskId, previousRunId: latest.id, attempt: latest.attempt + 1 };
  if (latest.error?.code === HANDED_BACK) {
    const handedBack = runs.filter((r) => r.error?.code === HANDED_BACK).length;
    if (handedBack <= MAX_HAND_BACKS) return { ...next, availableAt: now, reason: `handed back by a stopping worker` };
  }
  if (latest.error?.retryable === false || !task.retry || latest.attempt > task.retry.max) return null;
  const backoff = parseDurationMs(task.retry.backoff) ?? 0;
  return { ...next, availableAt: now + backoff, reason: `retry after ${latest.status}${latest.error ? ` (${latest.error.code})` : ''}` };
}

/** Definition order, dependencies first (the definition parser has refused cycles). */
function orderOf(tasks: readonly TaskDefinition[]): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const need of byId.get(id)?.needs ?? []) visit(need);
    order.push(id);
  };
  for (const t of tasks) visit(t.id);
  return order;
}

function hasClaimable(attempts: Map<string, PlannedRun[]>): boolean {
  for (const runs of attempts.values()) {
    const latest = runs[runs.length - 1]!;
    if (latest.status === 'pending' && latest.availableAt !== null) return true;
  }
  return false;
}

function desiredStatus(input: PlanInput, statuses: readonly TaskRunStatus[], claimable: boolean): ExecutionStatus {
  if (input.isRecord) return 'running';
  if (statuses.includes('running')) return 'running';
  // Work is queued: an execution no worker has picked up yet stays pending.
  if (claimable) return input.status === 'pending' ? 'pending' : 'running';
  if (statuses.includes('waiting')) return 'waiting';
  return input.status === 'pending' ? 'pending' : 'running';
}

function stoppedEnd(stop: StopRequest): NonNullable<ExecutionPlan['end']> {
  const by = stop.actor ? { actor: stop.actor } : {};
  switch (stop.kind) {
    case 'completed_record':
      return { status: 'completed', error: null };
    case 'failed_record':
      return { status: 'failed', error: { ...failure('task', 'RECORD_FAILED', stop.reason, { retryable: false }), ...by } };
    case 'cancelled':
      return { status: 'cancelled', error: { ...failure('cancelled', 'CANCELLED', stop.reason, { retryable: false }), ...by } };
    case 'timed_out':
      return { status: 'timed_out', error: failure('timeout', 'EXECUTION_TIMEOUT', stop.reason, { retryable: false }) };
  }
}

function finishedEnd(
  tasks: readonly TaskDefinition[],
  outcome: Map<string, TaskRunStatus>,
  attempts: Map<string, PlannedRun[]>,
): NonNullable<ExecutionPlan['end']> {
  const failedTask = orderOf(tasks).find((id) => {
    const s = outcome.get(id);
    return s !== undefined && s !== 'succeeded' && s !== 'skipped';
  });
  if (failedTask === undefined) return { status: 'completed', error: null };
  const runs = attempts.get(failedTask)!;
  const latest = runs[runs.length - 1]!;
  const detail = latest.error ? `: ${latest.error.message}` : '';
  return {
    status: 'failed',
    error: failure('task', 'TASK_FAILED', `task ${failedTask} ${latest.status}${detail}`, { retryable: false }),
  };
}
