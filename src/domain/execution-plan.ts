import { parseDurationMs } from './duration.ts';
import { isTerminalExecutionStatus, type ExecutionStatus } from './execution-status.ts';
import { failure } from './task-failure.ts';
import { isTerminalTaskRunStatus, type TaskRunStatus } from './task-run-status.ts';
import type { TaskRunPhase } from './records.ts';
import type { TaskDefinition } from './workflow-definition.ts';
import {
  HANDED_BACK,
  MAX_HAND_BACKS,
  type ExecutionPlan,
  type PlanInput,
  type PlannedRun,
  type RetryDecision,
  type StopRequest,
} from './execution-plan-model.ts';

/**
 * The planner: from an execution's definition, its task runs and any stop request it decides what
 * happens next — which runs become ready (claimable by a worker) or wait for a person, which are
 * skipped, cancelled or retried, and whether the execution changes status or ends. Pure: no I/O, no
 * clock (the caller passes `now`), so every decision the engine makes is a function of stored rows.
 */
export function planExecution(input: PlanInput): ExecutionPlan {
  const plan: ExecutionPlan = {
    ready: [],
    waitForPerson: [],
    skip: [],
    fail: [],
    conditions: [],
    cancel: [],
    retry: [],
    finishGroups: [],
    startOnFailure: false,
    status: null,
    end: null,
  };
  if (isTerminalExecutionStatus(input.status)) return plan;

  const onFailure = input.isRecord ? [] : (input.onFailure ?? []);
  const state: PlanState = {
    input,
    plan,
    tasks: new Map([...input.tasks, ...onFailure].map((t) => [t.id, t])),
    attempts: groupAttempts(input.runs),
    outcome: new Map(),
    retried: new Set(),
  };
  // The status each run's latest attempt will have once this plan is applied.
  for (const [key, runs] of state.attempts) state.outcome.set(key, latestOf(runs).status);
  const keysOf = (phase: TaskRunPhase) => [...state.attempts.entries()].filter(([, runs]) => phaseOf(runs) === phase).map(([key]) => key);
  const ended = (keys: readonly string[]) => keys.every((k) => isTerminalTaskRunStatus(state.outcome.get(k)!));
  const failurePhaseStarted = keysOf('on_failure').length > 0;

  if (input.stop) {
    // A timed-out execution still runs its on_failure tasks; any other stop ends everything.
    const notify = input.stop.kind === 'timed_out' && onFailure.length > 0;
    for (const [key, runs] of state.attempts) {
      const latest = latestOf(runs);
      if (notify && phaseOf(runs) === 'on_failure') continue;
      if (latest.status === 'pending' || latest.status === 'waiting') {
        plan.cancel.push({ runId: latest.id, error: failure('cancelled', 'CANCELLED', input.stop.reason, { retryable: false }) });
        state.outcome.set(key, 'cancelled');
      }
    }
    finishStoppedGroups(state, input.stop);
    if (!notify) {
      if ([...state.outcome.values()].some((s) => s === 'running')) return plan; // their workers stop them and report
      plan.end = stoppedEnd(input.stop);
      return plan;
    }
    if (!ended(keysOf('main'))) return plan;
    if (!failurePhaseStarted) {
      plan.startOnFailure = true;
      return plan;
    }
    planPhase(state, onFailure);
    if (ended(keysOf('on_failure'))) plan.end = stoppedEnd(input.stop);
    else setStatus(state);
    return plan;
  }

  planPhase(state, input.tasks);
  if (input.isRecord || !ended(keysOf('main'))) {
    setStatus(state);
    return plan;
  }
  const end = finishedEnd(input.tasks, state);
  if (end.status !== 'failed' || onFailure.length === 0) {
    plan.end = end;
    return plan;
  }
  if (!failurePhaseStarted) {
    plan.startOnFailure = true;
    return plan;
  }
  // The on_failure phase: the execution has failed, its status says so once these tasks have ended.
  planPhase(state, onFailure);
  if (ended(keysOf('on_failure'))) plan.end = end;
  else setStatus(state);
  return plan;
}

interface PlanState {
  input: PlanInput;
  plan: ExecutionPlan;
  tasks: Map<string, TaskDefinition>;
  /** Attempts per run key (a task, or one item of a for_each task), oldest first. */
  attempts: Map<string, PlannedRun[]>;
  outcome: Map<string, TaskRunStatus>;
  /** Run keys given a new attempt by this plan. */
  retried: Set<string>;
}

type Attempts = readonly PlannedRun[];

function latestOf(runs: Attempts): PlannedRun {
  return runs[runs.length - 1]!;
}

function phaseOf(runs: Attempts): TaskRunPhase {
  return runs[0]!.phase ?? 'main';
}

function itemIndexOf(runs: Attempts): number | null {
  return runs[0]!.itemIndex ?? null;
}

/** A task's runs are keyed by its id; one item of a for_each task by `id[index]`. */
function keyOf(run: PlannedRun): string {
  return run.itemIndex === null || run.itemIndex === undefined ? run.taskId : `${run.taskId}[${run.itemIndex}]`;
}

/** Attempts per run key, oldest first. */
function groupAttempts(runs: readonly PlannedRun[]): Map<string, PlannedRun[]> {
  const byKey = new Map<string, PlannedRun[]>();
  for (const run of runs) {
    const key = keyOf(run);
    const list = byKey.get(key) ?? [];
    list.push(run);
    byKey.set(key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.attempt - b.attempt);
  return byKey;
}

/** Retries, then each task of the phase in dependency order: skipped, failed, made ready or left waiting. */
function planPhase(state: PlanState, phaseTasks: readonly TaskDefinition[]): void {
  const { input, plan, tasks, attempts, outcome } = state;
  const inPhase = new Set(phaseTasks.map((t) => t.id));
  // Retries first: a dependency that will be retried has not failed yet.
  for (const [key, runs] of attempts) {
    const latest = latestOf(runs);
    if (!inPhase.has(latest.taskId)) continue;
    const decision = retryOf(tasks.get(latest.taskId), latest, runs, input.now);
    if (decision) {
      plan.retry.push(decision);
      outcome.set(key, 'pending');
      state.retried.add(key);
    }
  }

  // Topological order makes one pass enough: a skip reaches every task downstream of it.
  for (const taskId of orderOf(phaseTasks)) {
    const runs = attempts.get(taskId);
    const task = tasks.get(taskId)!;
    const latest = runs && latestOf(runs);
    if (task.for_each !== undefined && latest?.status === 'running') planItems(state, task, latest);
    if (!latest || latest.status !== 'pending' || latest.availableAt !== null) continue;
    if (state.retried.has(taskId)) continue;
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
      continue;
    }
    if (!task.needs.every((need) => outcome.get(need) === 'succeeded')) continue;
    if (task.if !== undefined && input.evaluate) {
      const condition = input.evaluate(task);
      if ('error' in condition) {
        plan.fail.push({
          runId: latest.id,
          error: failure('task', 'EXPRESSION_ERROR', `if "${task.if}" could not be evaluated: ${condition.error}`, { retryable: false }),
        });
        outcome.set(taskId, 'failed');
        continue;
      }
      if (!condition.value) {
        plan.skip.push({
          runId: latest.id,
          error: failure('skipped', 'CONDITION_FALSE', `skipped: if "${task.if}" is false`, { retryable: false }),
        });
        outcome.set(taskId, 'skipped');
        continue;
      }
      plan.conditions.push({ runId: latest.id, expression: task.if });
    }
    if (task.type === 'manual') {
      plan.waitForPerson.push(latest.id);
      outcome.set(taskId, 'waiting');
    } else {
      // A for_each task's own run is claimed by a worker too, which expands it into its items.
      plan.ready.push(latest.id);
    }
  }
}

/**
 * The items of an expanded for_each task: made ready in order, at most `concurrency` in flight
 * (claimable or running). The limit holds across any number of workers because only the planner,
 * under the execution's lock, makes a run claimable. A failed item skips the items not yet started
 * unless `continue_on_failure`; once every item has ended, so does the task's own run.
 */
function planItems(state: PlanState, task: TaskDefinition, group: PlannedRun): void {
  const { plan, attempts, outcome } = state;
  const items = [...attempts.entries()]
    .filter(([, runs]) => runs[0]!.taskId === task.id && itemIndexOf(runs) !== null)
    .sort(([, a], [, b]) => itemIndexOf(a)! - itemIndexOf(b)!);
  const settled = state.input.settledItems?.get(task.id) ?? 0;
  if (items.length === 0 && settled === 0) return; // its worker is expanding it
  const notStarted = items.filter(([key, runs]) => {
    const latest = latestOf(runs);
    return latest.status === 'pending' && latest.availableAt === null && !state.retried.has(key);
  });
  const unsuccessful = ([key]: [string, Attempts]) => {
    const s = outcome.get(key)!;
    return isTerminalTaskRunStatus(s) && s !== 'succeeded';
  };
  const failedItem = items.find(unsuccessful);
  if (failedItem && !task.continue_on_failure) {
    const index = itemIndexOf(failedItem[1]);
    for (const [key, runs] of notStarted) {
      plan.skip.push({
        runId: latestOf(runs).id,
        error: failure('skipped', 'ITEM_FAILED', `skipped: item ${index} of task ${task.id} did not succeed`, { retryable: false }),
      });
      outcome.set(key, 'skipped');
    }
  } else {
    const waiting = new Set(notStarted.map(([key]) => key));
    const inFlight = items.filter(([key]) => !waiting.has(key) && (outcome.get(key) === 'running' || outcome.get(key) === 'pending'));
    let room = task.concurrency === undefined ? Number.POSITIVE_INFINITY : task.concurrency - inFlight.length;
    for (const [, runs] of notStarted) {
      if (room <= 0) break;
      plan.ready.push(latestOf(runs).id);
      room -= 1;
    }
  }
  if (!items.every(([key]) => isTerminalTaskRunStatus(outcome.get(key)!))) return;
  const failedAtEnd = items.find(unsuccessful);
  if (failedAtEnd && !task.continue_on_failure) {
    const latest = latestOf(failedAtEnd[1]);
    const detail = latest.error ? `: ${latest.error.message}` : '';
    const error = failure('task', 'ITEM_FAILED', `item ${itemIndexOf(failedAtEnd[1])} ${latest.status}${detail}`, { retryable: false });
    plan.finishGroups.push({ runId: group.id, taskId: task.id, status: 'failed', error });
    outcome.set(task.id, 'failed');
  } else {
    plan.finishGroups.push({ runId: group.id, taskId: task.id, status: 'succeeded', error: null });
    outcome.set(task.id, 'succeeded');
  }
}

/** Under a stop: expanded for_each tasks whose items have all ended end as cancelled. */
function finishStoppedGroups(state: PlanState, stop: StopRequest): void {
  for (const task of state.tasks.values()) {
    if (task.for_each === undefined) continue;
    const runs = state.attempts.get(task.id);
    const group = runs && latestOf(runs);
    if (group?.status !== 'running') continue;
    const items = [...state.attempts.entries()].filter(([, r]) => r[0]!.taskId === task.id && itemIndexOf(r) !== null);
    const settled = state.input.settledItems?.get(task.id) ?? 0;
    if (items.length + settled === 0 || !items.every(([key]) => isTerminalTaskRunStatus(state.outcome.get(key)!))) continue;
    const error = failure('cancelled', 'CANCELLED', stop.reason, { retryable: false });
    state.plan.finishGroups.push({ runId: group.id, taskId: task.id, status: 'cancelled', error });
    state.outcome.set(task.id, 'cancelled');
  }
}

function setStatus(state: PlanState): void {
  const statuses = [...state.outcome.values()];
  const desired = desiredStatus(state.input, statuses, state.plan.ready.length > 0 || hasClaimable(state.attempts));
  if (desired !== state.input.status) state.plan.status = desired;
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

function finishedEnd(tasks: readonly TaskDefinition[], state: PlanState): NonNullable<ExecutionPlan['end']> {
  const { outcome, attempts } = state;
  const failedTask = orderOf(tasks).find((id) => {
    const s = outcome.get(id);
    return s !== undefined && s !== 'succeeded' && s !== 'skipped';
  });
  if (failedTask === undefined) return { status: 'completed', error: null };
  const latest = latestOf(attempts.get(failedTask)!);
  // Its ending may have been decided by this very plan (a condition that failed, a for_each task's items).
  const decided = [...state.plan.fail, ...state.plan.finishGroups].find((d) => d.runId === latest.id);
  const error = decided ? decided.error : latest.error;
  const detail = error ? `: ${error.message}` : '';
  return {
    status: 'failed',
    error: failure('task', 'TASK_FAILED', `task ${failedTask} ${outcome.get(failedTask)}${detail}`, { retryable: false }),
  };
}
