import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { TimedLogLine } from '../domain/log-line.ts';
import type { TaskRun } from '../domain/records.ts';
import { failure, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { transitionFacts } from '../observe/record-facts.ts';
import { knowChainHead, recordAuditEvent, workerActor } from '../observe/audit-logger.ts';
import { runsByExecution } from '../domain/runs-by-execution.ts';
import type { Database } from '../store/database-schema.ts';
import { startExecutionsReadingHeads, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { claimTaskRuns } from '../store/task-claim-repository.ts';
import { getTaskRun, insertTransitions } from '../store/task-run-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply, scheduledRetries } from './execution-planning.ts';
import { writeHeldStatusChanges, type ExecutionStatusChange } from './execution-state-change.ts';
import { hasForEach, lockExecution, lockExecutions, readRunsForPlanning, type PlanningRead } from './planning-reads.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { TxHooks } from './state-writer.ts';
import { tryTransitionTaskRun, tryTransitionTaskRunsListingRuns, type TransitionRequest } from './task-run-transition.ts';

/**
 * The three things that happen to a lease, each one transaction: a worker claims runs, a worker
 * reports how a claimed run ended (refused when its lease moved on), the sweeper ends a run whose
 * lease expired. Each ends by planning the execution it touched.
 */

type LeaseDeps = Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>;

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  now: string;
  /**
   * Executions this transaction has locked with their audit chains' heads, and knows are running:
   * the claim needs neither to start them nor to read them.
   */
  lockedRunning?: ReadonlyMap<string, ExecutionSchedule>;
  /** Runs this transaction found ready and left unmarked (see `PlanningOptions.holdReady`). */
  ready?: readonly string[];
}

export interface ClaimedRun {
  run: TaskRun;
  /** Its execution, when the claim read it (its attempt needs no read of its own). */
  schedule?: ExecutionSchedule;
}

/** Claims up to `limit` ready runs for this worker: each moves pending → running under a new lease. */
export async function claimRuns(trx: Transaction<Database>, tx: TxHooks, deps: LeaseDeps, options: ClaimOptions): Promise<ClaimedRun[]> {
  const { now } = options;
  const leaseExpiresAt = new Date(Date.parse(now) + options.leaseMs).toISOString();
  const claimed = await claimTaskRuns(trx, deps.caps, {
    owner: deps.workerId,
    limit: options.limit,
    now,
    leaseExpiresAt,
    ...(options.ready ? { ready: options.ready } : {}),
  });
  if (claimed.length === 0) return [];
  const actor = workerActor(deps.workerId);
  // The execution starts before its first task does, in the audit trail as in time.
  const log = SchedulerLog.of(tx, deps);
  const schedules = new Map<string, ExecutionSchedule>(options.lockedRunning);
  const others = [...new Set(claimed.map((r) => r.executionId))].filter((id) => !schedules.has(id));
  // One read (on PostgreSQL one statement) starts them, reads the heads of their audit chains for the
  // events below (locking them on PostgreSQL), and reads the executions for the attempts.
  const { started, heads, executions } = await startExecutionsReadingHeads(trx, deps.caps, others, deps.workerId, now);
  for (const head of heads) knowChainHead(trx, 'execution', head.id, head);
  for (const schedule of executions) schedules.set(schedule.id, schedule);
  for (const id of started) {
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: id,
      executionId: id,
      eventType: 'STARTED',
      actor,
      metadata: { from: 'pending', to: 'running' },
    });
    log.add(id, 'INFO', `execution started by worker ${deps.workerId}`);
  }
  const transitions = claimed.map((r) => ({
    id: newId(),
    taskRunId: r.id,
    executionId: r.executionId,
    fromState: 'pending' as const,
    toState: 'running' as const,
    metadata: { workerId: deps.workerId, attempt: r.attempt, fence: r.fence, leaseExpiresAt },
    createdAt: now,
  }));
  await insertTransitions(trx, transitions);
  for (const [i, r] of claimed.entries()) {
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: r.executionId,
      executionId: r.executionId,
      eventType: 'STATE_CHANGE',
      actor,
      metadata: {
        taskRunId: r.id,
        taskId: r.taskId,
        attempt: r.attempt,
        from: 'pending',
        to: 'running',
        fence: r.fence,
        ...transitionFacts(transitions[i]!),
      },
    });
  }
  return claimed.map((run) => {
    const schedule = schedules.get(run.executionId);
    return schedule ? { run, schedule } : { run };
  });
}

export interface AttemptReport {
  run: TaskRun;
  status: Extract<TaskRunStatus, 'succeeded' | 'failed' | 'cancelled' | 'timed_out'>;
  /** Masked. */
  input: unknown;
  /** Masked. */
  output: unknown;
  /** The output in clear, sealed, when masking changed it. */
  sealedOutput: string | null;
  error: TaskFailure | null;
  correlationId: string;
  /** The scheduler's line about the ending ("task build succeeded in 12 ms; output …"), masked. */
  message: string;
  /** The execution's lines not yet written (the attempt's output among them): they commit with the report. */
  lines: readonly TimedLogLine[];
  /** When the attempt ended (its duration runs from the claim to this). */
  completedAt: string;
}

export interface ReportResult {
  /** Per report, in order: false when its lease had moved on (nothing was applied, the late report was audited). */
  applied: boolean[];
  /** Runs claimed for this worker in the same transaction (see `claimAfter`). */
  claimed: ClaimedRun[];
  /**
   * True when the claim took fewer runs than it could and no retry waits for a backoff: nothing else
   * was claimable as this transaction saw the store, so looking for work again would find nothing.
   */
  exhausted: boolean;
  /** The reported runs' executions as read under their locks in this transaction (the claimed runs' attempts can use them). */
  schedules: ReadonlyMap<string, ExecutionSchedule>;
}

/**
 * Records how claimed attempts ended, each if this worker still holds its lease under the same fence;
 * otherwise (the lease expired and the run was ended or re-planned) nothing is applied and the late
 * report is recorded in the audit trail. The attempts' log lines commit with them (DESIGN invariant
 * 2), and with `claimAfter` the worker claims its next runs in the same transaction: a chain of tasks
 * costs one commit per task. Reports that end together are one set: their executions are locked in
 * one statement, their runs changed and read back in one more (on PostgreSQL), each execution is
 * planned once, and one claim follows.
 */
export async function reportAttempts(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: LeaseDeps,
  reports: readonly AttemptReport[],
  claimAfter?: Omit<ClaimOptions, 'now'>,
): Promise<ReportResult> {
  // The executions first: every transaction that plans an execution locks it before its runs.
  const schedules = await lockExecutions(
    trx,
    deps.caps,
    reports.map((r) => r.run.executionId),
  );
  const log = SchedulerLog.of(tx, deps);
  for (const report of reports) log.addTaken(report.lines);
  // Executions with for_each tasks are planned from a narrower read (`readRunsForPlanning`).
  const countsItems = new Map<string, WorkflowDefinition>();
  for (const schedule of schedules.values()) {
    const version = await deps.versions.get(trx, schedule.workflowId, schedule.workflowVersion);
    if (version && hasForEach(version.definition)) countsItems.set(schedule.id, version.definition);
  }
  // The others' runs come back with the changes, for the plans below.
  const listed = [...schedules.keys()].filter((id) => !countsItems.has(id));
  const { moved, runs } = await tryTransitionTaskRunsListingRuns(trx, reports.map(transitionOf(deps)), listed);
  const reads = new Map<string, PlanningRead>();
  for (const [id, list] of runsByExecution(runs)) reads.set(id, { runs: list, complete: true });
  for (const [id, definition] of countsItems) reads.set(id, await readRunsForPlanning(trx, id, definition));

  const toPlan = new Map<string, string>(); // execution → the latest end reported in it
  for (const [i, report] of reports.entries()) {
    const { run } = report;
    if (moved[i]) {
      log.add(run.executionId, report.status === 'succeeded' ? 'INFO' : 'ERROR', report.message, run.id);
      const latest = toPlan.get(run.executionId);
      if (latest === undefined || latest < report.completedAt) toPlan.set(run.executionId, report.completedAt);
      continue;
    }
    const current = reads.get(run.executionId)?.runs.find((r) => r.id === run.id) ?? (await getTaskRun(trx, run.id));
    await recordAuditEvent(trx, {
      subjectType: 'execution',
      subjectId: run.executionId,
      executionId: run.executionId,
      eventType: 'LATE_REPORT_REFUSED',
      actor: workerActor(deps.workerId),
      metadata: {
        taskRunId: run.id,
        taskId: run.taskId,
        attempt: run.attempt,
        fence: run.fence,
        reported: report.status,
        current: current ? { status: current.status, fence: current.fence, leaseOwner: current.leaseOwner } : null,
      },
    });
    log.add(
      run.executionId,
      'WARN',
      `late report refused: worker ${deps.workerId} reported task ${run.taskId} attempt ${run.attempt} ${report.status}, but the run is ${current?.status ?? 'gone'} (its lease moved on); nothing applied`,
      run.id,
    );
  }
  const applied = moved.map((m) => m !== null);
  const claiming = claimAfter !== undefined && claimAfter.limit > 0;
  const ready: string[] = [];
  const lockedRunning = new Map<string, ExecutionSchedule>();
  // The executions that end are changed together after their plans: on PostgreSQL one statement.
  const heldEnds: ExecutionStatusChange[] = [];
  for (const [executionId, now] of toPlan) {
    const schedule = schedules.get(executionId);
    // The next steps are handed to the claim, which marks claimable those it does not take.
    const planned = await planAndApply(trx, tx, deps, executionId, now, schedule, {
      holdReady: claiming,
      read: reads.get(executionId) ?? { runs: [], complete: true },
      heldEnds,
    });
    ready.push(...planned.heldReady);
    if (schedule && planned.status === 'running') lockedRunning.set(executionId, schedule);
  }
  await writeHeldStatusChanges(trx, heldEnds);
  if (!claiming) return { applied, claimed: [], exhausted: false, schedules };
  const now = reports.reduce((latest, r) => (r.completedAt > latest ? r.completedAt : latest), reports[0]!.completedAt);
  const claimed = await claimRuns(trx, tx, deps, { ...claimAfter, now, lockedRunning, ready });
  // Everything this transaction made claimable is claimed: waking workers (this one too) would find nothing.
  const exhausted = claimed.length < claimAfter.limit && !scheduledRetries(tx);
  if (exhausted) deps.signals.withdraw(tx, 'work');
  return { applied, claimed, exhausted, schedules };
}

/** The transition that records a report (applied only under the lease it was claimed with). */
function transitionOf(deps: LeaseDeps): (report: AttemptReport) => TransitionRequest {
  return (report) => {
    const { run } = report;
    const durationMs = run.startedAt ? Date.parse(report.completedAt) - Date.parse(run.startedAt) : null;
    return {
      run,
      to: report.status,
      changes: {
        input: report.input,
        output: report.output,
        sealedOutput: report.sealedOutput,
        error: report.error,
        completedAt: report.completedAt,
        durationMs,
        leaseExpiresAt: null,
      },
      metadata: {
        result: report.output,
        error: report.error,
        success: report.status === 'succeeded',
        executionTimeMs: durationMs,
        workerId: deps.workerId,
        correlationId: report.correlationId,
        fence: run.fence,
      },
      actor: workerActor(deps.workerId),
      now: report.completedAt,
      lease: { owner: deps.workerId, fence: run.fence },
    };
  };
}

/**
 * Ends a running attempt whose lease ran out (its worker died or stopped heartbeating) as failed
 * with `LEASE_EXPIRED`; the plan then retries it per its policy. A no-op when the lease was renewed
 * or the run ended meanwhile.
 */
export async function expireLease(trx: Transaction<Database>, tx: TxHooks, deps: LeaseDeps, runId: string, now: string): Promise<boolean> {
  const found = await getTaskRun(trx, runId);
  if (!found || found.status !== 'running') return false;
  const schedule = await lockExecution(trx, deps.caps, found.executionId);
  const run = await getTaskRun(trx, runId); // read again under the execution's lock
  if (!schedule || !run || run.status !== 'running') return false;
  const error = failure(
    'lost',
    'LEASE_EXPIRED',
    `the lease of worker ${run.leaseOwner ?? 'unknown'} on this attempt expired at ${run.leaseExpiresAt ?? 'an unknown time'} without a heartbeat (the worker died or stalled)`,
  );
  const durationMs = run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null;
  const ended = await tryTransitionTaskRun(trx, {
    run,
    to: 'failed',
    changes: { error, completedAt: now, durationMs, leaseExpiresAt: null },
    metadata: {
      error,
      reason: 'LEASE_EXPIRED',
      success: false,
      executionTimeMs: durationMs,
      workerId: deps.workerId,
      lostWorkerId: run.leaseOwner,
      fence: run.fence,
      correlationId: schedule.correlationId ?? schedule.id,
    },
    actor: workerActor(deps.workerId),
    now,
    lease: { expiredBefore: now, fence: run.fence },
  });
  if (!ended) return false;
  const log = SchedulerLog.of(tx, deps);
  log.add(run.executionId, 'WARN', `task ${run.taskId} attempt ${run.attempt} lost: ${error.message}; recorded as LEASE_EXPIRED`, run.id);
  await planAndApply(trx, tx, deps, run.executionId, now, schedule);
  return true;
}
