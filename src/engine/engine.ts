import os from 'node:os';
import {
  ExecutionNotFoundError,
  InvalidStateError,
  RecordEndedError,
  TaskRunNotFoundError,
  WorkflowNotFoundError,
} from '../domain/errors.ts';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Execution, TaskRun, Trigger } from '../domain/records.ts';
import { resolveInputs } from '../domain/resolve-inputs.ts';
import { nowIso } from '../domain/time.ts';
import { getExecution, insertExecution } from '../store/execution-repository.ts';
import { getTaskRun } from '../store/task-run-repository.ts';
import { getWorkflow, getWorkflowVersion } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { ExecutionRunner } from './execution-runner.ts';
import { Masker } from './masker.ts';
import { recoverExecutions, type RecoveryReport } from './recover-executions.ts';
import { secretValues } from './secret-values.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { createPendingTaskRuns } from './task-run-transition.ts';
import { createExtraStep, defaultRecordTitle, nextExtraStepId, updateRecordFields, updateStepNotes } from './record-editor.ts';

export interface StartExecutionRequest {
  workflowId: string;
  /** Defaults to the latest version. */
  version?: number | undefined;
  inputs: Record<string, unknown>;
  title?: string | null | undefined;
  correlationId?: string | null | undefined;
  trigger: Trigger;
  actor: Actor;
}

/** A worker id names this process: host, pid and a random suffix (a pid can be reused). */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${newId().slice(-8)}`;
}

/**
 * The engine's front: starts, cancels and recovers executions, and hands manual-step completions to
 * the runner that drives the execution. It only delegates; the work is in the modules it calls.
 */
export class Engine {
  private readonly runners = new Map<string, ExecutionRunner>();
  private closed = false;

  constructor(readonly deps: EngineDeps) {}

  /** Records the execution and its pending task runs, then runs it in the background. */
  async startExecution(req: StartExecutionRequest): Promise<Execution> {
    const workflow = await getWorkflow(this.deps.db, req.workflowId);
    if (!workflow) throw new WorkflowNotFoundError(req.workflowId);
    const version = await getWorkflowVersion(this.deps.db, workflow.id, req.version ?? workflow.latestVersion);
    if (!version) throw new WorkflowNotFoundError(`${req.workflowId}@${req.version}`);
    const inputs = resolveInputs(version.definition, req.inputs);
    const masker = new Masker(secretValues(version.definition, inputs, this.deps.env));
    const now = nowIso();
    const id = newId();
    const maskedInputs = masker.maskValue(inputs) as Record<string, unknown>;
    const { execution, runs } = await this.deps.writer.submit(async (trx) => {
      await insertExecution(trx, {
        id,
        workflowId: workflow.id,
        workflowVersion: version.version,
        trigger: req.trigger,
        triggeredBy: req.actor.userId,
        correlationId: req.correlationId ?? null,
        title: req.title
          ? masker.mask(req.title)
          : req.trigger === 'manual'
            ? masker.mask(defaultRecordTitle(version.definition, inputs, now))
            : null,
        inputs: maskedInputs,
        createdAt: now,
      });
      const created = await createPendingTaskRuns(
        trx,
        version.definition.tasks.map((t) => ({
          id: newId(),
          executionId: id,
          taskId: t.id,
          type: t.type,
          attempt: 1,
          status: 'pending' as const,
          createdAt: now,
        })),
        { reason: 'execution created', workerId: this.deps.workerId, correlationId: req.correlationId ?? id },
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
          inputs: maskedInputs,
          correlationId: req.correlationId ?? null,
        },
      });
      return { execution: (await getExecution(trx, id))!, runs: created };
    });
    this.deps.logSink.append({
      executionId: id,
      taskRunId: null,
      level: 'INFO',
      source: 'scheduler',
      message: `[execution ${id}] execution created: workflow ${workflow.id} v${version.version}, trigger ${req.trigger}, by ${req.actor.username ?? 'system'}`,
    });
    this.launch(new ExecutionRunner(this.deps, execution, version, runs, inputs, masker));
    return execution;
  }

  async cancelExecution(executionId: string, actor: Actor, reason: string): Promise<void> {
    const runner = this.runners.get(executionId);
    if (runner) return runner.cancel(reason, actor);
    const execution = await getExecution(this.deps.db, executionId);
    if (!execution) throw new ExecutionNotFoundError(executionId);
    throw new InvalidStateError(`execution ${executionId} is ${execution.status} and cannot be cancelled`);
  }

  async completeManualStep(
    executionId: string,
    taskRunId: string,
    result: { status: 'succeeded' | 'failed'; notes: string | null; actor: Actor },
  ): Promise<TaskRun> {
    const runner = this.runners.get(executionId);
    if (runner) return runner.completeManualStep(taskRunId, result);
    const execution = await getExecution(this.deps.db, executionId);
    if (!execution) throw new ExecutionNotFoundError(executionId);
    const run = await getTaskRun(this.deps.db, taskRunId);
    if (!run || run.executionId !== executionId) throw new ExecutionNotFoundError(executionId);
    throw new InvalidStateError(`step ${run.taskId} is ${run.status}, not waiting for a person`);
  }

  /**
   * A person edits a record: title and notes (a draft save when no status is given), then ends it
   * as completed or failed (human-run records only). Each change is audited with the person.
   */
  async updateRecord(
    executionId: string,
    changes: { title?: string | undefined; notes?: string | undefined; status?: 'completed' | 'failed' | undefined },
    actor: Actor,
  ): Promise<void> {
    const runner = await this.openRunner(executionId);
    if (changes.status && !runner.isRecord)
      throw new InvalidStateError(`execution ${executionId} is not a human-run record: it ends when its tasks end`);
    // Refused before anything is written: a PATCH that answers 409 changes nothing.
    if (changes.status === 'completed') runner.assertCanComplete();
    const fields = {
      title: changes.title === undefined ? undefined : runner.mask(changes.title),
      notes: changes.notes === undefined ? undefined : runner.mask(changes.notes),
    };
    if (fields.title !== undefined || fields.notes !== undefined) {
      await this.deps.writer.submit(async (trx) => {
        const before = (await getExecution(trx, executionId))!;
        await updateRecordFields(trx, executionId, before, fields, actor, nowIso());
      });
    }
    if (changes.status) await runner.endRecord(changes.status, fields.notes ?? null, actor);
  }

  /** A person adds a step to a record they are following; it waits for them at once. */
  async addStep(executionId: string, description: string, actor: Actor): Promise<TaskRun> {
    const runner = await this.openRunner(executionId);
    const run = await this.deps.writer.submit((trx) =>
      createExtraStep(
        trx,
        {
          executionId,
          taskId: nextExtraStepId(runner.taskIds),
          description: runner.mask(description),
          workerId: this.deps.workerId,
          correlationId: executionId,
        },
        actor,
        nowIso(),
      ),
    );
    runner.adoptStep(run);
    return run;
  }

  /** A person's notes on a step (by task run id or task id), editable until the record ends. */
  async updateStepNotes(executionId: string, stepRef: string, notes: string, actor: Actor): Promise<TaskRun> {
    const runner = await this.openRunner(executionId);
    const run = runner.findRun(stepRef);
    if (!run) throw new TaskRunNotFoundError(stepRef);
    const updated = await this.deps.writer.submit((trx) => updateStepNotes(trx, run, runner.mask(notes), actor, nowIso()));
    runner.updated(updated);
    return updated;
  }

  /** The runner of an execution people may still change; why not, otherwise. */
  private async openRunner(executionId: string): Promise<ExecutionRunner> {
    const runner = this.runners.get(executionId);
    if (runner?.open) return runner;
    const execution = await getExecution(this.deps.db, executionId);
    if (!execution) throw new ExecutionNotFoundError(executionId);
    if (runner || isTerminalExecutionStatus(execution.status))
      throw new RecordEndedError(`execution ${executionId} has ended (${execution.status}): its record can no longer change`);
    throw new InvalidStateError(`execution ${executionId} is not driven by this server process`);
  }

  /** Resolves once the execution has ended (immediately when it is not running here). */
  async waitForExecution(executionId: string): Promise<void> {
    await this.runners.get(executionId)?.done;
  }

  get activeExecutions(): number {
    return this.runners.size;
  }

  /**
   * Ends what a dead process left running (`process_lost`, retried per policy) and resumes every
   * unfinished execution. Called once at start-up, before the API accepts requests.
   */
  async recover(): Promise<RecoveryReport> {
    const { report, resumable } = await recoverExecutions(this.deps);
    for (const { execution, version, runs } of resumable) {
      const masker = new Masker(secretValues(version.definition, execution.inputs, this.deps.env));
      this.launch(new ExecutionRunner(this.deps, execution, version, runs, execution.inputs, masker));
    }
    return report;
  }

  /**
   * Stops driving executions without ending them: their child processes are killed, and the next
   * start records those attempts as lost and retries them.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const runner of this.runners.values()) runner.detach();
    this.runners.clear();
    await this.deps.writer.drain();
  }

  private launch(runner: ExecutionRunner): void {
    if (this.closed) return;
    this.runners.set(runner.id, runner);
    void runner.done.then(() => {
      if (this.runners.get(runner.id) === runner) this.runners.delete(runner.id);
    });
    runner.start().catch((e: unknown) => {
      console.error(`runledger: execution ${runner.id} could not start:`, e);
    });
  }
}
