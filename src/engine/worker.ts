import type { TaskRun } from '../domain/records.ts';
import { toError } from '../domain/task-failure.ts';
import { nowIso } from '../domain/time.ts';
import { storeFailure } from '../store/store-failure.ts';
import { earliestAvailableAt, listRunsLeasedTo, reportTaskRunInput } from '../store/task-claim-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { renewHeldLeases, stopRequestsOf } from './held-run-checks.ts';
import { childNotStarted, startChildExecution } from './child-start.ts';
import { submitExpansion } from './for-each-expansion.ts';
import { label, preview } from './attempt-text.ts';
import { prepareAttempt, type PreparedAttempt } from './prepare-attempt.ts';
import type { WorkerOptions } from './worker-options.ts';
import { runTaskAttempt, type AttemptOutcome } from './run-task-attempt.ts';
import type { AbortReason } from './task-handler.ts';
import { claimRuns, reportAttempts, type AttemptReport, type ClaimedRun } from './task-run-leases.ts';
import { TurnBatch, untilStored } from './report-sending.ts';

/** How long an attempt runs before its input is written apart from its report. */
const INPUT_SHOWN_AFTER_MS = 250;

export type { WorkerOptions } from './worker-options.ts';

interface HeldRun {
  run: TaskRun;
  controller: AbortController;
  done: Promise<void>;
  /**
   * Set when the run's report claimed everything claimable: the value of `Worker.missedLooks` then.
   * Unless a look was missed since, the slot the run frees needs no look for work.
   */
  exhaustedAt?: number;
}

interface PendingReport {
  entry: HeldRun;
  report: AttemptReport;
  /** As recorded: from the claim to the report (docs/concepts.md, Durations). */
  durationMs: number;
}

/**
 * Claims ready task runs from the store and runs them: at most `concurrency` at once, each under a
 * lease it renews by heartbeat. What a run needs (definition, inputs, secrets, upstream outputs) is
 * read from the store, and how it ended is reported under the lease's fence in a transaction that also
 * plans the execution's next step — so the worker holds no execution in memory, and any number of
 * workers can share a store.
 */
export class Worker {
  private readonly held = new Map<string, HeldRun>();
  /** Slots promised to claims made with a report, until their runs are launched. */
  private reserved = 0;
  /** A claim failed with a store failure: it may have committed all the same. */
  private claimOutcomeUnknown = false;
  private claiming = false;
  private claimAgain = false;
  private stopped = false;
  private draining = false;
  /** Reports are skipped after `die()`: the store must see what a killed process leaves behind. */
  private dead = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly offSignals: (() => void)[] = [];
  private loggedClaimError = false;
  /** A wake-up said runs became claimable since the last look. */
  private workSignalled = false;
  /** Looks for work skipped because every slot was taken: a report's claim made after one covers it. */
  private missedLooks = 0;
  /** Reports made ready in one turn of the event loop go to the store together. */
  private readonly reports = new TurnBatch<PendingReport>(
    (set) => this.sendReportSet(set),
    // A failed set's log lines went back to the collector: a report sent again goes without them.
    (pending) => ({ ...pending, report: { ...pending.report, lines: [] } }),
  );
  readonly stats = { claimed: 0, reported: 0, refused: 0 };

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: WorkerOptions,
  ) {}

  get running(): number {
    return this.held.size;
  }

  start(): void {
    this.offSignals.push(
      this.deps.signals.on('work', () => {
        this.workSignalled = true;
        this.kick();
      }),
      this.deps.signals.on('commands', () => void this.checkStopRequests()),
    );
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(50, Math.floor(this.options.leaseMs / 3));
    this.heartbeat = setInterval(() => void this.beat(), heartbeatMs);
    this.heartbeat.unref();
    this.kick();
  }

  /** Looks for work now (coalesced with a look already under way). */
  kick(): void {
    if (this.stopped || this.draining) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    void this.claimLoop().finally(() => {
      this.claiming = false;
      // A kick that came while the loop was ending (after its last look) would otherwise be lost.
      if (this.claimAgain) this.kick();
    });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.claimAgain = false;
      clearTimeout(this.timer);
      const free = this.options.concurrency - this.held.size - this.reserved;
      if (this.stopped || this.draining) return;
      if (free <= 0) {
        this.missedLooks += 1; // a finishing attempt looks again
        return;
      }
      let claimed: ClaimedRun[] = [];
      let wait = this.options.pollMs;
      try {
        // A claim whose commit was cut off (a lost connection) may have committed: its runs carry this
        // worker's lease and would otherwise wait for it to expire. Adopt them.
        // (Only while no report is on its way: a report's own claims are launched when it returns.)
        if (this.claimOutcomeUnknown && this.reserved === 0) {
          claimed = (await listRunsLeasedTo(this.deps.db, this.deps.workerId)).filter((r) => !this.held.has(r.id)).map((run) => ({ run }));
          this.claimOutcomeUnknown = false;
        }
        const claim = (now: string) =>
          this.deps.writer.submit((trx, tx) =>
            claimRuns(trx, tx, this.deps, { limit: Math.min(free, this.options.claimBatch ?? 64), leaseMs: this.options.leaseMs, now }),
          );
        // Told that runs became claimable: claim at once. Otherwise (a poll, a slot freed) look first,
        // so that a worker with nothing to do opens no write transaction.
        const signalled = this.workSignalled;
        this.workSignalled = false;
        if (claimed.length === 0 && signalled) claimed = await claim(nowIso());
        const now = nowIso();
        const earliest = claimed.length === 0 ? await earliestAvailableAt(this.deps.db) : null;
        if (claimed.length === 0 && earliest !== null && Date.parse(earliest) <= Date.parse(now)) {
          claimed = await claim(now);
        } else if (earliest !== null) {
          // Nothing claimable yet: sleep until the earliest backoff ends. (After a claim, runs still
          // waiting for a backoff are picked up by the next look: a finishing attempt, a wake-up or the poll.)
          wait = Math.min(wait, Math.max(0, Date.parse(earliest) - Date.now()));
        }
        this.loggedClaimError = false;
      } catch (e: unknown) {
        if (!this.loggedClaimError) console.error(`runledger: worker ${this.deps.workerId} could not claim work: ${toError(e).message}`);
        this.loggedClaimError = true;
        if (storeFailure(e)) this.claimOutcomeUnknown = true;
      }
      for (const { run, schedule } of claimed) this.launch(run, schedule);
      this.stats.claimed += claimed.length;
      if (claimed.length > 0 && claimed.length === free) this.claimAgain = true;
      else if (!this.stopped && !this.draining) this.timer = setTimeout(() => this.kick(), wait).unref();
    } while (this.claimAgain && !this.stopped && !this.draining);
  }

  /** Runs a claimed attempt; `schedule` is its execution if the claiming transaction read it. */
  private launch(run: TaskRun, schedule?: ExecutionSchedule): void {
    const controller = new AbortController();
    const entry: HeldRun = { run, controller, done: Promise.resolve() };
    entry.done = this.runAttempt(entry, schedule)
      .catch((e: unknown) => console.error(`runledger: task run ${run.id} could not be run or reported: ${toError(e).message}`))
      .finally(() => {
        this.held.delete(run.id);
        if (entry.exhaustedAt === undefined || entry.exhaustedAt !== this.missedLooks) this.kick();
      });
    this.held.set(run.id, entry);
  }

  private async runAttempt(entry: HeldRun, schedule: ExecutionSchedule | undefined): Promise<void> {
    const { run, controller } = entry;
    const prepared = await prepareAttempt(this.deps, run, schedule);
    if (!prepared.ok) {
      const message = `task ${run.taskId} failed before it started: ${prepared.error.code}: ${prepared.error.message}`;
      await this.report(
        entry,
        { status: 'failed', output: null, error: prepared.error, durationMs: 0 },
        null,
        prepared.correlationId,
        message,
      );
      return;
    }
    const { task, input, masker, correlationId } = prepared.attempt;
    // A for_each task's own run and a workflow task are handed over to the planner, not run here.
    if (prepared.attempt.items !== undefined) return this.expand(run, prepared.attempt, prepared.attempt.items);
    if (task.type === 'workflow') return this.startChild(entry, prepared.attempt);
    // Traces on: the attempt's span, a child of its execution's, open until the report has committed.
    const span = this.deps.tracing
      ? await this.deps.tracing.startAttempt({
          executionId: run.executionId,
          taskRunId: run.id,
          taskId: run.taskId,
          type: task.type,
          attempt: run.attempt,
          correlationId,
        })
      : undefined;
    const maskedInput = masker.maskValue(input);
    // The report records the input; an attempt that runs for a while shows it before it ends too
    // (a write of its own, which a short task does not pay for).
    const showInput = setTimeout(() => {
      void this.deps.writer
        .submit((trx) => reportTaskRunInput(trx, { id: run.id, owner: this.deps.workerId, fence: run.fence }, maskedInput))
        .catch(() => undefined);
    }, INPUT_SHOWN_AFTER_MS);
    this.log(
      run,
      'INFO',
      `task ${label(run)} started (type ${task.type}, attempt ${run.attempt}); input ${preview(maskedInput)}`,
      masker.mask.bind(masker),
    );
    let outcome: AttemptOutcome;
    try {
      outcome = await runTaskAttempt(this.deps, task, run, input, controller, masker, span?.traceparent);
    } finally {
      clearTimeout(showInput);
    }
    if (this.dead) return span?.end(outcome.status, outcome.error);
    // DESIGN invariant 2: the attempt's lines are taken from the collector and commit with its report.
    const output = masker.maskValue(outcome.output);
    const sealed = JSON.stringify(output) === JSON.stringify(outcome.output) ? null : this.deps.secrets.seal(outcome.output);
    const detail = outcome.error ? `: ${outcome.error.code}: ${outcome.error.message}` : `; output ${preview(output)}`;
    // The duration said is the one recorded: from the claim to the report (docs/concepts.md, Durations).
    const completedAt = nowIso();
    const durationMs = run.startedAt ? Date.parse(completedAt) - Date.parse(run.startedAt) : outcome.durationMs;
    const message = `task ${label(run)} ${outcome.status} in ${durationMs} ms${detail}`;
    try {
      await this.report(entry, { ...outcome, output }, sealed, correlationId, masker.mask(message), maskedInput, completedAt);
    } finally {
      span?.end(outcome.status, outcome.error);
    }
  }

  /** Records a for_each task's items (its run then belongs to the planner), with the attempt's log lines. */
  private async expand(run: TaskRun, attempt: PreparedAttempt, items: readonly unknown[]): Promise<void> {
    if (this.dead) return;
    if (await submitExpansion(this.deps, run, attempt, items, () => this.stopped || this.dead)) this.stats.reported += 1;
    else this.stats.refused += 1;
  }

  /** Starts a workflow task's child execution (its run then waits for the child), or reports why it could not. */
  private async startChild(entry: HeldRun, attempt: PreparedAttempt): Promise<void> {
    const { run } = entry;
    if (this.dead) return;
    const started = await startChildExecution(this.deps, run, attempt, () => this.deps.logSink.take(run.executionId));
    if (started.kind === 'started') this.stats.reported += 1;
    else if (started.kind === 'refused') this.stats.refused += 1;
    else {
      const { status, error } = childNotStarted(started);
      const message = `task ${run.taskId} ${status}: ${error.code}: ${error.message}`;
      await this.report(entry, { status, output: null, error, durationMs: 0 }, null, attempt.correlationId, attempt.masker.mask(message));
    }
  }

  /**
   * Reports the attempt's end with its log lines (DESIGN invariant 2: they commit together) and, in
   * the same transaction, claims the work that is ready for the slots this worker has free. Reports
   * made ready in the same turn of the event loop go to the store together (`reportAttempts`).
   */
  private async report(
    entry: HeldRun,
    outcome: AttemptOutcome,
    sealedOutput: string | null,
    correlationId: string,
    message: string,
    input: unknown = null,
    completedAt = nowIso(),
  ): Promise<void> {
    if (this.dead) return;
    const { run } = entry;
    const lines = await this.deps.logSink.take(run.executionId);
    const report: AttemptReport = {
      run,
      status: outcome.status,
      input,
      output: outcome.output,
      sealedOutput,
      error: outcome.error,
      correlationId,
      message,
      lines,
      completedAt,
    };
    const durationMs = run.startedAt ? Date.parse(completedAt) - Date.parse(run.startedAt) : outcome.durationMs;
    await this.reports.add({ entry, report, durationMs });
  }

  private async sendReportSet(batch: readonly PendingReport[]): Promise<void> {
    // The reported attempts' own slots are about to be free.
    const limit =
      this.stopped || this.draining
        ? 0
        : Math.max(0, Math.min(this.options.claimBatch ?? 64, this.options.concurrency - this.held.size - this.reserved + batch.length));
    this.reserved += limit;
    const missedBefore = this.missedLooks;
    try {
      const result = await untilStored(
        () =>
          this.deps.writer.submit((trx, tx) =>
            reportAttempts(
              trx,
              tx,
              this.deps,
              batch.map((b) => b.report),
              { limit, leaseMs: this.options.leaseMs },
            ),
          ),
        () => this.stopped || this.dead,
      );
      for (const [i, { report, durationMs }] of batch.entries()) {
        if (!result.applied[i]) {
          this.stats.refused += 1;
          continue;
        }
        this.stats.reported += 1;
        this.deps.events.attemptEnded({ type: report.run.type, status: report.status, durationMs });
      }
      this.stats.claimed += result.claimed.length;
      this.reserved -= limit;
      if (result.exhausted) for (const { entry } of batch) entry.exhaustedAt = missedBefore;
      for (const { run: next, schedule } of result.claimed) this.launch(next, schedule ?? result.schedules.get(next.executionId));
    } catch (e: unknown) {
      this.reserved -= limit;
      for (const { report } of batch) this.deps.logSink.giveBack(report.lines);
      throw e;
    }
  }

  /** Renews the leases of the runs held; a run whose lease was taken away is stopped. */
  private async beat(): Promise<void> {
    if (this.held.size === 0 || this.dead) return;
    for (const [id, reason] of await renewHeldLeases(this.deps, [...this.held.keys()], this.options.leaseMs)) this.abort(id, reason);
    await this.checkStopRequests();
  }

  /** Stops the held runs of executions that have a stop request (cancel, deadline, record failed). */
  private async checkStopRequests(): Promise<void> {
    if (this.held.size === 0 || this.dead) return;
    for (const [id, reason] of await stopRequestsOf(this.deps, [...this.held.keys()])) this.abort(id, reason);
  }

  private abort(runId: string, reason: AbortReason): void {
    const held = this.held.get(runId);
    if (held && !held.controller.signal.aborted) held.controller.abort(reason);
  }

  /**
   * Graceful stop (SIGTERM): claims nothing more, lets the runs it holds finish for up to `graceMs`,
   * then hands the rest back (each ends as WORKER_STOPPED and runs again on another worker).
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    clearTimeout(this.timer);
    const all = Promise.all([...this.held.values()].map((h) => h.done));
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'late') {
      for (const id of this.held.keys()) this.abort(id, { kind: 'handed_back', message: `worker ${this.deps.workerId} is shutting down` });
      await Promise.all([...this.held.values()].map((h) => h.done));
    }
    this.close();
  }

  /**
   * Stops at once without reporting anything, as a killed process would: running processes are
   * stopped, their runs stay `running` in the store until their leases expire.
   */
  async die(): Promise<void> {
    this.dead = true;
    for (const id of this.held.keys()) this.abort(id, { kind: 'cancelled', message: 'process stopping' });
    await Promise.all([...this.held.values()].map((h) => h.done));
    this.close();
  }

  private close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    for (const off of this.offSignals.splice(0)) off();
  }

  private log(run: TaskRun, level: 'INFO' | 'WARN', message: string, mask: (text: string) => string): void {
    this.deps.logSink.append({
      executionId: run.executionId,
      taskRunId: run.id,
      level,
      source: 'scheduler',
      message: mask(`[execution ${run.executionId}] ${message}`),
    });
  }
}
