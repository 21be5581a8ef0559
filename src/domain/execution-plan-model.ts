import type { ExecutionStatus } from './execution-status.ts';
import type { TaskFailure } from './task-failure.ts';
import type { TaskRunStatus } from './task-run-status.ts';
import type { TaskRunPhase } from './records.ts';
import type { TaskDefinition } from './workflow-definition.ts';

/**
 * What the planner (execution-plan.ts) reads — an execution's runs as planning sees them, its stop
 * request — and what it decides, with the constants both sides of the decision share.
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
  /** `main` when absent. */
  phase?: TaskRunPhase | undefined;
  /** One item of a `for_each` task; null or absent on every other run. */
  itemIndex?: number | null | undefined;
}

/** What a task's `if` came to: a boolean, or why it could not be evaluated. */
export type ConditionResult = { value: boolean } | { error: string };

export interface PlanInput {
  /** The definition's tasks and any steps a person added (manual, without dependencies). */
  tasks: readonly TaskDefinition[];
  /** The definition's `on_failure` tasks: they run once the execution has failed or timed out. */
  onFailure?: readonly TaskDefinition[] | undefined;
  /**
   * Every attempt of every task, but the items counted in `settledItems` (left out of the read, see
   * `listRunsForPlanning`).
   */
  runs: readonly PlannedRun[];
  /** Per `for_each` task: how many of its items succeeded and are not among `runs`. */
  settledItems?: ReadonlyMap<string, number> | undefined;
  status: ExecutionStatus;
  /** A human-run record: it stays running until a person completes or fails it. */
  isRecord: boolean;
  stop: StopRequest | null;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * Evaluates a task's `if`, once every task it needs has succeeded (their outputs are stored).
   * Without it every condition counts as true.
   */
  evaluate?: ((task: TaskDefinition) => ConditionResult) | undefined;
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
  /** Pending runs that will never run: a dependency did not succeed, their `if` was false, an item failed. */
  skip: Array<{ runId: string; error: TaskFailure }>;
  /** Pending runs that fail without running: their `if` could not be evaluated. */
  fail: Array<{ runId: string; error: TaskFailure }>;
  /** Runs made ready because their `if` was true (recorded with them). */
  conditions: Array<{ runId: string; expression: string }>;
  /** Pending and waiting runs ended because the execution is being stopped. */
  cancel: Array<{ runId: string; error: TaskFailure }>;
  /** New attempts of runs that failed and whose policy allows another. */
  retry: RetryDecision[];
  /** The own runs of `for_each` tasks whose items have all ended: they end too. */
  finishGroups: Array<{ runId: string; taskId: string; status: 'succeeded' | 'failed' | 'cancelled'; error: TaskFailure | null }>;
  /** The execution has failed and has `on_failure` tasks: their runs are to be created (and planned). */
  startOnFailure: boolean;
  /** A status change that does not end the execution (`running` ⇄ `waiting`), or null. */
  status: ExecutionStatus | null;
  /** The execution ends: with which status and why. */
  end: { status: Extract<ExecutionStatus, 'completed' | 'failed' | 'cancelled' | 'timed_out'>; error: TaskFailure | null } | null;
}

/** Attempts handed back by a stopping worker are re-run regardless of the retry policy, this many times at most. */
export const MAX_HAND_BACKS = 3;

/** The error code of an attempt a stopping worker handed back (it did not fail by itself). */
export const HANDED_BACK = 'WORKER_STOPPED';
