import type { Kysely, Transaction } from 'kysely';
import {
  ExecutionNotFoundError,
  InvalidStateError,
  RecordEndedError,
  SecretKeyUnavailableError,
  StepsOpenError,
  TaskRunNotFoundError,
} from '../domain/errors.ts';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import type { Actor, TaskRun, Trigger } from '../domain/records.ts';
import { failure } from '../domain/task-failure.ts';
import { isTerminalTaskRunStatus } from '../domain/task-run-status.ts';
import { nowIso } from '../domain/time.ts';
import type { Database } from '../store/database-schema.ts';
import { getExecution } from '../store/execution-repository.ts';
import { getExecutionSchedule, type ExecutionSchedule } from '../store/execution-schedule-repository.ts';
import { listTaskRunsByExecution } from '../store/task-run-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { lockExecution } from './planning-reads.ts';
import {
  claimedExecutionCreation,
  executionsCreation,
  versionToRun,
  type RunRequest,
  type StartClaim,
  type StartedExecution,
} from './execution-creation.ts';

export type { StartClaim, StartedExecution } from './execution-creation.ts';
import { openExecutionSecrets } from './execution-secrets.ts';
import { Masker } from './masker.ts';
import { createExtraStep, nextExtraStepId, updateRecordFields, updateStepNotes } from './record-editor.ts';
import { SchedulerLog } from './scheduler-log.ts';
import { stopChildren } from './stop-children.ts';
import { secretValues } from './secret-values.ts';
import { requestExecutionStop } from './stop-request.ts';
import { transitionTaskRun } from './task-run-transition.ts';

/** One execution of a workflow: which version (the latest by default), and what it is started with. */
export interface StartExecutionRequest extends RunRequest {
  workflowId: string;
  /** Defaults to the latest version. */
  version?: number | undefined;
}

/** Many executions of one workflow version, each with its own inputs (and title, correlation id). */
export interface StartExecutionsRequest {
  workflowId: string;
  /** Defaults to the latest version. */
  version?: number | undefined;
  runs: readonly Omit<RunRequest, 'trigger' | 'actor'>[];
  trigger: Trigger;
  actor: Actor;
}

export interface StepResult {
  status: 'succeeded' | 'failed';
  notes: string | null;
  actor: Actor;
}

export interface RecordChanges {
  title?: string | undefined;
  notes?: string | undefined;
  status?: 'completed' | 'failed' | undefined;
}

/**
 * What people and the API ask of executions, each one transaction on the store (the command is a row)
 * that ends by planning the execution: any process may take any command, whichever process runs the
 * execution's tasks. Text a person writes is masked with the execution's secrets, opened from their
 * sealed copy, before it is stored.
 */
export class ExecutionCommands {
  constructor(private readonly deps: EngineDeps) {}

  /** Records the execution, its pending task runs and its first plan; workers pick up what is ready. */
  async start(req: StartExecutionRequest): Promise<StartedExecution> {
    return (await this.startClaimed(req, async () => true))!;
  }

  /** `start`, in one transaction with `claim`; null when the claim was lost (nothing recorded). */
  async startClaimed(req: StartExecutionRequest, claim: StartClaim): Promise<StartedExecution | null> {
    const { workflow, version } = await versionToRun(this.deps, req.workflowId, req.version);
    return this.deps.writer.submit(claimedExecutionCreation(this.deps, workflow, version, req, claim));
  }

  /**
   * Records many executions of one workflow version: a bad input set refuses the whole request before
   * anything is written, naming every bad set by its index. They commit in as few transactions as the
   * store's statement limits allow (one for up to 1,000 task runs), one after another.
   */
  async startMany(req: StartExecutionsRequest): Promise<StartedExecution[]> {
    const { workflow, version } = await versionToRun(this.deps, req.workflowId, req.version);
    const runs = req.runs.map((run) => ({ ...run, trigger: req.trigger, actor: req.actor }));
    const created: StartedExecution[] = [];
    for (const group of executionsCreation(this.deps, workflow, version, runs)) created.push(...(await this.deps.writer.submit(group)));
    return created;
  }

  /** Records a cancel request; the execution ends once the workers holding its attempts have stopped them. */
  async cancel(executionId: string, actor: Actor, reason: string): Promise<void> {
    await this.deps.writer.submit(async (trx, tx) => {
      const schedule = await this.locked(trx, executionId);
      if (isTerminalExecutionStatus(schedule.status))
        throw new InvalidStateError(`execution ${executionId} is ${schedule.status} and cannot be cancelled`);
      // A cancel must work even where the sealed secrets cannot be opened: the reason is then masked
      // with the secrets this process knows (its environment's).
      const masker = await this.maskerOf(trx, schedule, { orEnvironmentOnly: true });
      await requestExecutionStop(trx, tx, this.deps, executionId, { kind: 'cancelled', reason: masker.mask(reason), actor }, nowIso());
    });
    // Its children are stopped each in a transaction of its own (a child is locked before its parent, never after).
    await stopChildren(this.deps, executionId);
  }

  /** A person completes (or fails) a manual step that waits for them. */
  async completeStep(executionId: string, taskRunId: string, result: StepResult): Promise<TaskRun> {
    return this.deps.writer.submit(async (trx, tx) => {
      const schedule = await this.locked(trx, executionId);
      const run = (await listTaskRunsByExecution(trx, executionId)).find((r) => r.id === taskRunId);
      if (!run) throw new TaskRunNotFoundError(taskRunId);
      if (run.status !== 'waiting') throw new InvalidStateError(`step ${run.taskId} is ${run.status}, not waiting for a person`);
      const masker = await this.maskerOf(trx, schedule);
      const now = nowIso();
      // Without new notes, the draft a person saved on the step stays.
      const notes = result.notes === null ? run.notes : masker.mask(result.notes);
      const by = result.actor.username ?? result.actor.userId;
      const output = { completedBy: by, notes };
      const error =
        result.status === 'failed'
          ? failure('task', 'MANUAL_STEP_FAILED', notes ? `marked failed by ${by}: ${notes}` : `marked failed by ${by}`, {
              retryable: false,
            })
          : null;
      const durationMs = run.startedAt ? Date.parse(now) - Date.parse(run.startedAt) : null;
      const ended = await transitionTaskRun(trx, {
        run,
        to: result.status,
        changes: { output, error, notes, completedBy: result.actor.userId, completedAt: now, durationMs },
        // A person's step: the person is the actor, no worker ran it.
        metadata: {
          result: output,
          error,
          actor: by,
          success: result.status === 'succeeded',
          executionTimeMs: durationMs,
          correlationId: schedule.correlationId ?? executionId,
        },
        actor: result.actor,
        now,
      });
      const log = SchedulerLog.of(tx, this.deps);
      log.add(executionId, 'INFO', `manual step ${run.taskId} ${result.status} by ${by}`, run.id);
      await planAndApply(trx, tx, this.deps, executionId, now, schedule);
      return ended;
    });
  }

  /**
   * A person edits a record: title and notes (a draft save when no status is given), then ends it as
   * completed (every step ended) or failed (open steps are cancelled, running tasks stopped). A change
   * that is refused writes nothing.
   */
  async updateRecord(executionId: string, changes: RecordChanges, actor: Actor): Promise<void> {
    await this.deps.writer.submit(async (trx, tx) => {
      const schedule = await this.openRecord(trx, executionId);
      if (changes.status && schedule.trigger !== 'manual')
        throw new InvalidStateError(`execution ${executionId} is not a human-run record: it ends when its tasks end`);
      if (changes.status === 'completed') {
        const open = latestAttempts(await listTaskRunsByExecution(trx, executionId)).filter((r) => !isTerminalTaskRunStatus(r.status));
        if (open.length > 0) throw new StepsOpenError(open.map((r) => r.taskId));
      }
      const masker = await this.maskerOf(trx, schedule);
      const fields = {
        title: changes.title === undefined ? undefined : masker.mask(changes.title),
        notes: changes.notes === undefined ? undefined : masker.mask(changes.notes),
      };
      const now = nowIso();
      if (fields.title !== undefined || fields.notes !== undefined) {
        const before = (await getExecution(trx, executionId))!;
        await updateRecordFields(trx, executionId, before, fields, actor, now);
      }
      if (changes.status) {
        const kind = changes.status === 'completed' ? 'completed_record' : 'failed_record';
        const reason =
          changes.status === 'completed'
            ? `completed by ${actor.username ?? actor.userId ?? 'unknown'}`
            : (fields.notes ?? 'marked failed');
        await requestExecutionStop(trx, tx, this.deps, executionId, { kind, reason, actor }, now);
      }
    });
  }

  /** A person adds a step to a record they are following; it waits for them at once. */
  async addStep(executionId: string, description: string, actor: Actor): Promise<TaskRun> {
    return this.deps.writer.submit(async (trx, tx) => {
      const schedule = await this.openRecord(trx, executionId);
      const version = await this.deps.versions.get(trx, schedule.workflowId, schedule.workflowVersion);
      const runs = await listTaskRunsByExecution(trx, executionId);
      const taskIds = [...(version?.definition.tasks.map((t) => t.id) ?? []), ...runs.map((r) => r.taskId)];
      const masker = await this.maskerOf(trx, schedule);
      const now = nowIso();
      const run = await createExtraStep(
        trx,
        {
          executionId,
          taskId: nextExtraStepId(taskIds),
          description: masker.mask(description),
          workerId: this.deps.workerId,
          correlationId: executionId,
        },
        actor,
        now,
      );
      await planAndApply(trx, tx, this.deps, executionId, now);
      return run;
    });
  }

  /** A person's notes on a step (by task run id or task id), editable until the record ends. */
  async updateStepNotes(executionId: string, stepRef: string, notes: string, actor: Actor): Promise<TaskRun> {
    return this.deps.writer.submit(async (trx) => {
      const schedule = await this.openRecord(trx, executionId);
      const run = latestAttempts(await listTaskRunsByExecution(trx, executionId)).find((r) => r.id === stepRef || r.taskId === stepRef);
      if (!run) throw new TaskRunNotFoundError(stepRef);
      const masker = await this.maskerOf(trx, schedule);
      return updateStepNotes(trx, run, masker.mask(notes), actor, nowIso());
    });
  }

  /**
   * `text` masked with the execution's secrets, for text a person gives that is stored outside these
   * commands (an evidence file's name). Where the sealed secrets cannot be opened, the environment's.
   */
  async maskText(executionId: string, text: string): Promise<string> {
    const schedule = await getExecutionSchedule(this.deps.db, executionId);
    if (!schedule) throw new ExecutionNotFoundError(executionId);
    return (await this.maskerOf(this.deps.db, schedule, { orEnvironmentOnly: true })).mask(text);
  }

  private async locked(trx: Transaction<Database>, executionId: string): Promise<ExecutionSchedule> {
    const schedule = await lockExecution(trx, this.deps.caps, executionId);
    if (!schedule) throw new ExecutionNotFoundError(executionId);
    return schedule;
  }

  /** An execution people may still change: not ended and not being stopped. */
  private async openRecord(trx: Transaction<Database>, executionId: string): Promise<ExecutionSchedule> {
    const schedule = await this.locked(trx, executionId);
    if (isTerminalExecutionStatus(schedule.status) || schedule.stop)
      throw new RecordEndedError(`execution ${executionId} has ended (${schedule.status}): its record can no longer change`);
    return schedule;
  }

  /** The masker of an execution's secrets, opened from their sealed copy (throws when this process cannot). */
  private async maskerOf(
    trx: Kysely<Database> | Transaction<Database>,
    schedule: ExecutionSchedule,
    options: { orEnvironmentOnly?: boolean } = {},
  ): Promise<Masker> {
    const version = await this.deps.versions.get(trx, schedule.workflowId, schedule.workflowVersion);
    if (!version) return new Masker();
    try {
      return openExecutionSecrets(this.deps.secrets, version.definition, schedule.inputs, schedule.sealedSecrets, this.deps.env).masker;
    } catch (e: unknown) {
      if (!(e instanceof SecretKeyUnavailableError) || !options.orEnvironmentOnly) throw e;
      return new Masker(secretValues(version.definition, {}, this.deps.env));
    }
  }
}

/** The latest attempt of each task. */
function latestAttempts(runs: readonly TaskRun[]): TaskRun[] {
  const latest = new Map<string, TaskRun>();
  for (const run of runs) {
    const seen = latest.get(run.taskId);
    if (!seen || run.attempt > seen.attempt) latest.set(run.taskId, run);
  }
  return [...latest.values()];
}
