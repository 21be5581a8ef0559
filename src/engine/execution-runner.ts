import { parseDurationMs } from '../domain/duration.ts';
import { InvalidStateError, RecordEndedError, StepsOpenError, TaskRunNotFoundError } from '../domain/errors.ts';
import { isTerminalExecutionStatus, type ExecutionStatus } from '../domain/execution-status.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Execution, ExecutionContextSnapshot, TaskRun, WorkflowVersion } from '../domain/records.ts';
import { failure, toError, type TaskFailure } from '../domain/task-failure.ts';
import { isTerminalTaskRunStatus, type TaskRunStatus } from '../domain/task-run-status.ts';
import { nowIso } from '../domain/time.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import { topologicalOrder } from '../domain/parse-workflow-definition.ts';
import { workerActor } from '../observe/audit-logger.ts';
import { changeExecutionStatus } from './execution-state-change.ts';
import { extraStepDefinition } from './record-editor.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { Masker } from './masker.ts';
import { runTaskAttempt, type AttemptOutcome } from './run-task-attempt.ts';
import { createPendingTaskRuns, transitionTaskRun } from './task-run-transition.ts';
import type { AbortReason } from './task-handler.ts';
import { renderValue, secretFromEnv, TemplateError, type TemplateContext } from './template.ts';

const SUCCESS: TaskRunStatus = 'succeeded';

/**
 * Drives one execution through its DAG. All state lives in the store; the runner keeps only what it
 * needs to decide the next step (the latest attempt of each task, live outputs for templating, the
 * attempts it is running), so a runner built from the store after a restart carries on where the
 * dead process stopped.
 */
export class ExecutionRunner {
  private readonly tasks = new Map<string, TaskDefinition>();
  private readonly order: string[];
  private readonly latest = new Map<string, TaskRun>();
  /** Unmasked outputs of succeeded tasks: templates downstream need the real values. */
  private readonly outputs = new Map<string, unknown>();
  private readonly active = new Map<string, AbortController>();
  private readonly starting = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private executionTimer: NodeJS.Timeout | undefined;
  private stopReason: StopReason | null = null;
  private pumping = false;
  private pumpAgain = false;
  private detached = false;
  private resolveDone!: () => void;
  /** This process, as the actor of what the engine does on its own. */
  private readonly worker: Actor;
  /** Resolves when the execution has reached a terminal state (or the runner was detached). */
  readonly done: Promise<void> = new Promise((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly deps: EngineDeps,
    private execution: Execution,
    private readonly version: WorkflowVersion,
    runs: readonly TaskRun[],
    /** Inputs in clear (only in memory); after a restart the stored, masked inputs. */
    private readonly inputs: Record<string, unknown>,
    private readonly masker: Masker,
  ) {
    this.worker = workerActor(deps.workerId);
    for (const task of version.definition.tasks) this.tasks.set(task.id, task);
    this.order = topologicalOrder(version.definition);
    for (const run of runs) {
      if (!this.tasks.has(run.taskId)) this.addTask(extraStepDefinition(run));
      const current = this.latest.get(run.taskId);
      if (!current || run.attempt > current.attempt) this.latest.set(run.taskId, run);
      if (run.status === SUCCESS) this.outputs.set(run.taskId, run.output);
    }
  }

  get id(): string {
    return this.execution.id;
  }

  get status(): ExecutionStatus {
    return this.execution.status;
  }

  /**
   * A human-run record (trigger `manual`): it stays `running` while a person works through it, and
   * ends only when they complete it or mark it failed, not when its last step ends.
   */
  get isRecord(): boolean {
    return this.execution.trigger === 'manual';
  }

  /** Whether people may still change it: it has not ended and is not being stopped. */
  get open(): boolean {
    return !this.stopReason && !isTerminalExecutionStatus(this.execution.status);
  }

  /** Text a person wrote, with this execution's secret values masked. */
  mask(text: string): string {
    return this.masker.mask(text);
  }

  get taskIds(): string[] {
    return [...this.tasks.keys()];
  }

  /** The latest attempt of a task, by task run id or task id. */
  findRun(ref: string): TaskRun | undefined {
    return this.latest.get(ref) ?? [...this.latest.values()].find((r) => r.id === ref);
  }

  /** Keeps the runner's copy of a run in step with a change written elsewhere (notes). */
  updated(run: TaskRun): void {
    if (this.latest.get(run.taskId)?.id === run.id) this.latest.set(run.taskId, run);
  }

  /** A step a person added (its pending run is already stored): it waits for them like any manual step. */
  adoptStep(run: TaskRun): void {
    this.addTask(extraStepDefinition(run));
    this.latest.set(run.taskId, run);
    this.pump();
  }

  /**
   * A person ends the record. Completing needs every step ended; failing cancels what is still open
   * (and stops running tasks), with the reason on the record.
   */
  async endRecord(outcome: 'completed' | 'failed', reason: string | null, actor: Actor): Promise<void> {
    if (!this.isRecord) throw new InvalidStateError(`execution ${this.id} is not a human-run record: it ends when its tasks end`);
    if (!this.open) throw new RecordEndedError(`execution ${this.id} has ended (${this.execution.status})`);
    if (outcome === 'completed') {
      this.assertCanComplete();
      await this.end('completed', null, actor);
      return;
    }
    this.stop({ kind: 'cancelled', message: reason ?? 'marked failed', actor, failRecord: true });
    await this.done;
  }

  /** A record is completed only once every step has ended. */
  assertCanComplete(): void {
    const open = this.order.filter((id) => {
      const run = this.latest.get(id);
      return run !== undefined && !isTerminalTaskRunStatus(run.status);
    });
    if (open.length > 0) throw new StepsOpenError(open);
  }

  private addTask(task: TaskDefinition): void {
    this.tasks.set(task.id, task);
    if (!this.order.includes(task.id)) this.order.push(task.id);
  }

  /** Marks the execution running (if it was pending), arms its timeout and schedules ready tasks. */
  async start(): Promise<void> {
    if (this.execution.status === 'pending') {
      const now = nowIso();
      await this.deps.writer.submit((trx) =>
        changeExecutionStatus(trx, {
          executionId: this.id,
          from: ['pending'],
          to: 'running',
          changes: { startedAt: now, workerId: this.deps.workerId, updatedAt: now },
          actor: this.worker,
          eventType: 'STARTED',
        }),
      );
      this.execution = { ...this.execution, status: 'running', startedAt: now, workerId: this.deps.workerId };
      this.log('INFO', `execution started (workflow ${this.version.workflowId} v${this.version.version})`);
    }
    this.armExecutionTimeout();
    this.pump();
  }

  /** Cancels with a reason: running attempts are stopped (their processes killed), pending ones cancelled. */
  async cancel(reason: string, actor: Actor): Promise<void> {
    this.stop({ kind: 'cancelled', message: reason, actor });
    await this.done;
  }

  /** A person completes a waiting manual step. */
  async completeManualStep(
    taskRunId: string,
    result: { status: 'succeeded' | 'failed'; notes: string | null; actor: Actor },
  ): Promise<TaskRun> {
    const run = [...this.latest.values()].find((r) => r.id === taskRunId);
    if (!run) throw new TaskRunNotFoundError(taskRunId);
    if (run.status !== 'waiting') throw new InvalidStateError(`step ${run.taskId} is ${run.status}, not waiting for a person`);
    const now = nowIso();
    // Without new notes, the draft a person saved on the step stays.
    const notes = result.notes === null ? run.notes : this.masker.mask(result.notes);
    const by = result.actor.username ?? result.actor.userId;
    const output = { completedBy: by, notes };
    const error =
      result.status === 'failed'
        ? failure('task', 'MANUAL_STEP_FAILED', notes ? `marked failed by ${by}: ${notes}` : `marked failed by ${by}`, { retryable: false })
        : null;
    const ended = await this.deps.writer.submit((trx) =>
      transitionTaskRun(trx, {
        run,
        to: result.status,
        changes: { output, error, notes, completedBy: result.actor.userId, completedAt: now, durationMs: elapsedMs(run.startedAt, now) },
        metadata: { result: output, error, actor: by, workerId: this.deps.workerId, correlationId: this.correlationId },
        actor: result.actor,
        now,
      }),
    );
    this.latest.set(run.taskId, ended);
    if (result.status === 'succeeded') this.outputs.set(run.taskId, output);
    this.log('INFO', `manual step ${run.taskId} ${result.status} by ${by}`, run.id);
    this.pump();
    return ended;
  }

  /**
   * Stops driving the execution without recording anything (process shutdown): running attempts
   * are killed and left `running`, for the next start to end as `process_lost` and retry.
   */
  detach(): void {
    this.detached = true;
    this.clearTimers();
    for (const controller of this.active.values())
      controller.abort({ kind: 'cancelled', message: 'server shutting down' } satisfies AbortReason);
    this.resolveDone();
  }

  private get correlationId(): string {
    return this.execution.correlationId ?? this.execution.id;
  }

  private stop(reason: StopReason): void {
    if (this.stopReason || isTerminalExecutionStatus(this.execution.status)) return;
    this.stopReason = reason;
    this.clearTimers();
    const who = reason.actor ? ` by ${reason.actor.username ?? reason.actor.userId ?? 'system'}` : '';
    const what = reason.failRecord ? 'marked failed' : reason.kind === 'cancelled' ? 'cancellation requested' : 'timed out';
    this.log(reason.kind === 'cancelled' ? 'WARN' : 'ERROR', `${what}${who}: ${reason.message}`);
    for (const controller of this.active.values()) controller.abort(reason);
    this.pump();
  }

  private armExecutionTimeout(): void {
    const limit = this.version.definition.timeout ? parseDurationMs(this.version.definition.timeout) : undefined;
    if (limit === undefined) return;
    const started = Date.parse(this.execution.startedAt ?? this.execution.createdAt);
    const remaining = Math.max(0, started + limit - Date.now());
    this.executionTimer = setTimeout(
      () => this.stop({ kind: 'timed_out', message: `execution timed out after ${this.version.definition.timeout}` }),
      remaining,
    );
    this.executionTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.executionTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Re-evaluates the execution; calls that arrive while one runs coalesce into one more pass. */
  private pump(): void {
    if (this.detached) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          await this.step();
        } while (this.pumpAgain && !this.detached);
      } catch (e: unknown) {
        await this.failInternally(toError(e));
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async step(): Promise<void> {
    if (isTerminalExecutionStatus(this.execution.status)) return;
    if (this.stopReason) return this.stepStopping(this.stopReason);

    const skips: TaskRun[] = [];
    for (const taskId of this.order) {
      const run = this.latest.get(taskId);
      if (!run || run.status !== 'pending' || this.starting.has(taskId) || this.retryTimers.has(taskId)) continue;
      const deps = this.tasks.get(taskId)!.needs.map((n) => this.latest.get(n));
      if (deps.some((d) => d && isTerminalTaskRunStatus(d.status) && d.status !== SUCCESS)) skips.push(run);
      else if (deps.every((d) => d?.status === SUCCESS)) this.launch(taskId, run);
    }
    if (skips.length > 0) {
      await this.endPending(skips, 'skipped', (run) => {
        const failed = this.tasks.get(run.taskId)!.needs.find((n) => this.latest.get(n)?.status !== SUCCESS);
        return failure('skipped', 'DEPENDENCY_FAILED', `skipped: dependency ${failed} did not succeed`, { retryable: false });
      });
      this.pumpAgain = true;
      return;
    }

    const runs = [...this.latest.values()];
    const busy = this.active.size + this.starting.size + this.retryTimers.size;
    if (busy === 0 && runs.every((r) => isTerminalTaskRunStatus(r.status)) && !this.isRecord) return this.finish();
    if (this.isRecord) return; // running until a person ends it
    const desired: ExecutionStatus = busy === 0 && runs.some((r) => r.status === 'waiting') ? 'waiting' : 'running';
    if (desired !== this.execution.status) await this.setExecutionStatus(desired);
  }

  private async stepStopping(reason: StopReason): Promise<void> {
    const idle = [...this.latest.values()].filter(
      (r) => (r.status === 'pending' || r.status === 'waiting') && !this.starting.has(r.taskId),
    );
    if (idle.length > 0) {
      await this.endPending(idle, 'cancelled', () => failure('cancelled', 'CANCELLED', reason.message, { retryable: false }));
    }
    if (this.active.size > 0 || this.starting.size > 0) return; // their ends pump again
    const status: ExecutionStatus = reason.failRecord ? 'failed' : reason.kind === 'cancelled' ? 'cancelled' : 'timed_out';
    const by = reason.actor ? { actor: reason.actor.username ?? reason.actor.userId } : {};
    const error: TaskFailure = reason.failRecord
      ? { ...failure('task', 'RECORD_FAILED', reason.message, { retryable: false }), ...by }
      : reason.kind === 'cancelled'
        ? {
            ...failure('cancelled', 'CANCELLED', reason.message, { retryable: false }),
            ...(reason.actor ? { actor: reason.actor.username ?? reason.actor.userId } : {}),
          }
        : failure('timeout', 'EXECUTION_TIMEOUT', reason.message, { retryable: false });
    await this.end(status, error);
  }

  private async endPending(runs: TaskRun[], to: 'skipped' | 'cancelled', why: (run: TaskRun) => TaskFailure): Promise<void> {
    const now = nowIso();
    const ended = await this.deps.writer.submit(async (trx) => {
      const out: TaskRun[] = [];
      for (const run of runs) {
        const error = why(run);
        out.push(
          await transitionTaskRun(trx, {
            run,
            to,
            changes: { error, completedAt: now },
            metadata: { error, workerId: this.deps.workerId, correlationId: this.correlationId },
            actor: to === 'cancelled' ? (this.stopReason?.actor ?? this.worker) : this.worker,
            now,
          }),
        );
      }
      return out;
    });
    for (const run of ended) {
      this.latest.set(run.taskId, run);
      this.log(to === 'skipped' ? 'INFO' : 'WARN', `task ${run.taskId} ${to}: ${run.error?.message ?? ''}`, run.id);
    }
  }

  private launch(taskId: string, run: TaskRun): void {
    this.starting.add(taskId);
    void this.runAttempt(this.tasks.get(taskId)!, run)
      .catch((e: unknown) => this.failInternally(toError(e)))
      .finally(() => {
        this.starting.delete(taskId);
        this.pump();
      });
  }

  private templateContext(): TemplateContext {
    return {
      inputs: this.inputs,
      tasks: Object.fromEntries([...this.outputs].map(([id, output]) => [id, { output }])),
      secrets: (name) => secretFromEnv(name, this.deps.env),
    };
  }

  private async runAttempt(task: TaskDefinition, run: TaskRun): Promise<void> {
    let input: Record<string, unknown>;
    try {
      input = renderValue(task.with, this.templateContext()) as Record<string, unknown>;
    } catch (e: unknown) {
      if (!(e instanceof TemplateError)) throw e;
      const error = failure('task', 'TEMPLATE_ERROR', this.masker.mask(e.message), { retryable: false });
      await this.endTaskRun(task, run, 'failed', { output: null, error, durationMs: 0 });
      return;
    }
    const maskedInput = this.masker.maskValue(input);
    if (task.type === 'manual') {
      const now = nowIso();
      const waiting = await this.deps.writer.submit((trx) =>
        transitionTaskRun(trx, {
          run,
          to: 'waiting',
          changes: { input: maskedInput, startedAt: now, workerId: this.deps.workerId },
          metadata: { workerId: this.deps.workerId, correlationId: this.correlationId },
          actor: this.worker,
          now,
        }),
      );
      this.latest.set(task.id, waiting);
      this.log('INFO', `manual step ${task.id} waiting for a person`, run.id);
      return;
    }

    await this.deps.slots.acquire();
    try {
      if (this.stopReason || this.detached) return;
      const now = nowIso();
      const running = await this.deps.writer.submit((trx) =>
        transitionTaskRun(trx, {
          run,
          to: 'running',
          changes: { input: maskedInput, startedAt: now, workerId: this.deps.workerId },
          metadata: { workerId: this.deps.workerId, correlationId: this.correlationId, attempt: run.attempt },
          actor: this.worker,
          now,
        }),
      );
      this.latest.set(task.id, running);
      this.log('INFO', `task ${task.id} started (type ${task.type}, attempt ${run.attempt}); input ${preview(maskedInput)}`, run.id);
      const controller = new AbortController();
      this.active.set(run.id, controller);
      this.starting.delete(task.id);
      if (this.stopReason) controller.abort(this.stopReason);
      let outcome: AttemptOutcome;
      try {
        outcome = await runTaskAttempt(this.deps, task, running, input, controller, this.masker);
      } finally {
        this.active.delete(run.id);
      }
      if (this.detached) return;
      await this.deps.logSink.flush(this.id);
      await this.endTaskRun(task, running, outcome.status, outcome);
    } finally {
      this.deps.slots.release();
    }
  }

  /** Records a task run's end; when its retry policy allows, the next attempt is created with it. */
  private async endTaskRun(
    task: TaskDefinition,
    run: TaskRun,
    status: TaskRunStatus,
    outcome: { output: unknown; error: TaskFailure | null; durationMs: number },
  ): Promise<void> {
    const now = nowIso();
    const output = this.masker.maskValue(outcome.output);
    const retry =
      !this.stopReason &&
      status !== SUCCESS &&
      status !== 'cancelled' &&
      outcome.error?.retryable !== false &&
      task.retry &&
      run.attempt <= task.retry.max;
    const [ended, next] = await this.deps.writer.submit(async (trx) => {
      const endedRun = await transitionTaskRun(trx, {
        run,
        to: status,
        changes: { output, error: outcome.error, completedAt: now, durationMs: outcome.durationMs },
        metadata: {
          result: output,
          error: outcome.error,
          success: status === SUCCESS,
          executionTimeMs: outcome.durationMs,
          workerId: this.deps.workerId,
          correlationId: this.correlationId,
        },
        actor: this.worker,
        now,
      });
      if (!retry) return [endedRun, undefined] as const;
      const [nextRun] = await createPendingTaskRuns(
        trx,
        [
          {
            id: newId(),
            executionId: this.id,
            taskId: task.id,
            type: task.type,
            attempt: run.attempt + 1,
            status: 'pending',
            createdAt: now,
          },
        ],
        { reason: `retry after ${status}`, previousTaskRunId: run.id, workerId: this.deps.workerId, correlationId: this.correlationId },
        this.worker,
      );
      return [endedRun, nextRun] as const;
    });
    this.latest.set(task.id, next ?? ended);
    if (status === SUCCESS) this.outputs.set(task.id, outcome.output);
    const detail = outcome.error ? `: ${outcome.error.code}: ${outcome.error.message}` : `; output ${preview(output)}`;
    this.log(status === SUCCESS ? 'INFO' : 'ERROR', `task ${task.id} ${status} in ${outcome.durationMs} ms${detail}`, run.id);
    if (next) {
      const backoff = parseDurationMs(task.retry?.backoff ?? '0') ?? 0;
      this.log(
        'WARN',
        `task ${task.id} will retry: attempt ${next.attempt} of ${task.retry!.max + 1} in ${backoff} ms (attempt ${run.attempt} ${status}: ${outcome.error?.code ?? ''})`,
        next.id,
      );
      this.scheduleRetry(task.id, backoff);
    }
  }

  private scheduleRetry(taskId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(taskId);
      this.pump();
    }, delayMs);
    this.retryTimers.set(taskId, timer);
  }

  private async setExecutionStatus(status: ExecutionStatus): Promise<void> {
    const now = nowIso();
    const from = this.execution.status;
    await this.deps.writer.submit((trx) =>
      changeExecutionStatus(trx, { executionId: this.id, from: [from], to: status, changes: { updatedAt: now }, actor: this.worker }),
    );
    this.execution = { ...this.execution, status };
    this.log('INFO', `execution ${status}`);
  }

  private async finish(): Promise<void> {
    const failedRun = this.order.map((id) => this.latest.get(id)).find((r) => r && r.status !== SUCCESS && r.status !== 'skipped');
    if (!failedRun) return this.end('completed', null);
    return this.end(
      'failed',
      failure(
        'task',
        'TASK_FAILED',
        `task ${failedRun.taskId} ${failedRun.status}${failedRun.error ? `: ${failedRun.error.message}` : ''}`,
        {
          retryable: false,
        },
      ),
    );
  }

  private snapshot(): ExecutionContextSnapshot {
    const tasks: ExecutionContextSnapshot['tasks'] = {};
    for (const taskId of this.order) {
      const run = this.latest.get(taskId);
      if (run) tasks[taskId] = { status: run.status, attempt: run.attempt, output: this.masker.maskValue(run.output) };
    }
    return { inputs: this.masker.maskValue(this.inputs) as Record<string, unknown>, tasks };
  }

  /** Ends the execution. Its logs are flushed first: a terminal state implies durable logs. */
  private async end(status: ExecutionStatus, error: TaskFailure | null, actor?: Actor): Promise<void> {
    this.clearTimers();
    this.log(status === 'completed' ? 'INFO' : 'ERROR', `execution ${status}${error ? `: ${error.message}` : ''}`);
    await this.deps.logSink.flush(this.id);
    const now = nowIso();
    const context = this.snapshot();
    const startedAt = this.execution.startedAt ?? this.execution.createdAt;
    await this.deps.writer.submit((trx) =>
      changeExecutionStatus(trx, {
        executionId: this.id,
        from: ['pending', 'running', 'waiting'],
        to: status,
        changes: { error, context, completedAt: now, updatedAt: now },
        actor: actor ?? this.stopReason?.actor ?? this.worker,
        metadata: { durationMs: Date.parse(now) - Date.parse(startedAt), ...(error ? { error } : {}) },
      }),
    );
    this.execution = { ...this.execution, status, error, context, completedAt: now };
    this.deps.logSink.release(this.id);
    this.resolveDone();
  }

  /** A bug or a store failure must not leave the execution running forever. */
  private async failInternally(error: Error): Promise<void> {
    if (isTerminalExecutionStatus(this.execution.status) || this.detached) return;
    console.error(`runledger: execution ${this.id} failed internally:`, error);
    for (const controller of this.active.values()) controller.abort({ kind: 'cancelled', message: 'internal error' } satisfies AbortReason);
    try {
      await this.end('failed', failure('internal', 'INTERNAL', this.masker.mask(error.message), { retryable: false }));
    } catch (e: unknown) {
      console.error(`runledger: could not record the failure of execution ${this.id}:`, toError(e));
      this.resolveDone();
    }
  }

  private log(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string, taskRunId: string | null = null): void {
    this.deps.logSink.append({
      executionId: this.id,
      taskRunId,
      level,
      source: 'scheduler',
      message: this.masker.mask(`[execution ${this.id}] ${message}`),
    });
  }
}

/** Why the runner stops; `failRecord` when a person marks a human-run record failed. */
type StopReason = AbortReason & { actor?: Actor | undefined; failRecord?: boolean };

/** A value for a log line: JSON, cut at 2 KiB (the record keeps it whole). */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 2048 ? `${text.slice(0, 2048)}… [${text.length} chars]` : text;
}

function elapsedMs(startedAt: string | null, now: string): number | null {
  return startedAt ? Date.parse(now) - Date.parse(startedAt) : null;
}
