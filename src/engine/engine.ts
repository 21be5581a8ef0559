import os from 'node:os';
import { ExecutionNotFoundError, InvalidStateError, WorkflowNotFoundError } from '../domain/errors.ts';
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
        title: req.title ? masker.mask(req.title) : null,
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
