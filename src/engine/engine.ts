import os from 'node:os';
import { isTerminalExecutionStatus, type ExecutionStatus } from '../domain/execution-status.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, TaskRun } from '../domain/records.ts';
import { getExecution } from '../store/execution-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import {
  ExecutionCommands,
  type RecordChanges,
  type StartExecutionRequest,
  type StartExecutionsRequest,
  type StartedExecution,
  type StepResult,
} from './execution-commands.ts';
import { Sweeper } from './sweeper.ts';
import { TriggerScheduler } from './trigger-scheduler.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export type { StartExecutionRequest, StartExecutionsRequest, StartedExecution } from './execution-commands.ts';

/** A worker id names this process: host, pid and a random suffix (a pid can be reused). */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${newId().slice(-8)}`;
}

export interface EngineOptions {
  /** Run tasks in this process (a worker pool and a sweeper); absent, this process only takes commands. */
  worker?: (WorkerOptions & { sweepIntervalMs?: number; schedulePollMs?: number; scheduleGraceMs?: number }) | undefined;
  /** How long a command that stops an execution (cancel, failing a record) waits for it to end before answering. */
  stopWaitMs?: number;
}

/**
 * The engine's front: commands (start, cancel, steps, records) any process may take, and in a worker
 * process the pool that claims and runs tasks and the sweeper of leases and deadlines. It only
 * delegates; the work is in the modules it calls.
 */
export class Engine {
  readonly commands: ExecutionCommands;
  readonly worker: Worker | undefined;
  readonly sweeper: Sweeper | undefined;
  /** Starts scheduled workflows (in a worker process: an API-only node fires no schedules). */
  readonly scheduler: TriggerScheduler | undefined;
  private readonly stopWaitMs: number;

  constructor(
    readonly deps: EngineDeps,
    options: EngineOptions = {},
  ) {
    this.commands = new ExecutionCommands(deps);
    this.stopWaitMs = options.stopWaitMs ?? 10_000;
    if (options.worker) {
      this.worker = new Worker(deps, options.worker);
      this.sweeper = new Sweeper(deps, options.worker.sweepIntervalMs ?? Math.min(1000, Math.floor(options.worker.leaseMs / 3)));
      this.scheduler = new TriggerScheduler(deps, this.commands, {
        pollMs: options.worker.schedulePollMs ?? options.worker.pollMs,
        ...(options.worker.scheduleGraceMs === undefined ? {} : { graceMs: options.worker.scheduleGraceMs }),
      });
    }
  }

  /**
   * Starts the worker pool and the sweeper (in a worker process). Every unfinished execution is planned
   * once first, so work left by a stopped deployment (or an older version) is found at once; attempts
   * left running by a dead process are ended when their leases expire.
   */
  async start(): Promise<{ planned: number }> {
    if (!this.worker || !this.sweeper) return { planned: 0 };
    const planned = await this.sweeper.planUnfinished();
    this.worker.start();
    this.sweeper.start();
    await this.sweeper.sweep();
    this.scheduler?.start();
    return { planned };
  }

  startExecution(req: StartExecutionRequest): Promise<StartedExecution> {
    return this.commands.start(req);
  }

  /** Many executions of one workflow version; a bad input set starts none. */
  startExecutions(req: StartExecutionsRequest): Promise<StartedExecution[]> {
    return this.commands.startMany(req);
  }

  /** Cancels with a reason and waits (a while) for the execution to end: running processes are killed by their workers. */
  async cancelExecution(executionId: string, actor: Actor, reason: string): Promise<void> {
    await this.commands.cancel(executionId, actor, reason);
    await this.waitForExecution(executionId, this.stopWaitMs);
  }

  completeManualStep(executionId: string, taskRunId: string, result: StepResult): Promise<TaskRun> {
    return this.commands.completeStep(executionId, taskRunId, result);
  }

  async updateRecord(executionId: string, changes: RecordChanges, actor: Actor): Promise<void> {
    await this.commands.updateRecord(executionId, changes, actor);
    if (changes.status) await this.waitForExecution(executionId, this.stopWaitMs);
  }

  addStep(executionId: string, description: string, actor: Actor): Promise<TaskRun> {
    return this.commands.addStep(executionId, description, actor);
  }

  updateStepNotes(executionId: string, stepRef: string, notes: string, actor: Actor): Promise<TaskRun> {
    return this.commands.updateStepNotes(executionId, stepRef, notes, actor);
  }

  /**
   * Resolves with the execution's status once it has ended, or after `timeoutMs` with the status it
   * has then. Woken by the `ended` signal (from any process on PostgreSQL), with a poll behind it.
   */
  /** Text a person gives about an execution, masked with its secrets before it is stored elsewhere. */
  maskForExecution(executionId: string, text: string): Promise<string> {
    return this.commands.maskText(executionId, text);
  }

  async waitForExecution(executionId: string, timeoutMs = Number.POSITIVE_INFINITY): Promise<ExecutionStatus | undefined> {
    const deadline = Date.now() + timeoutMs;
    let wake: () => void = () => {};
    const off = this.deps.signals.on('ended', (id) => {
      if (id === executionId) wake();
    });
    try {
      for (;;) {
        const execution = await getExecution(this.deps.db, executionId);
        if (!execution || isTerminalExecutionStatus(execution.status) || Date.now() >= deadline) return execution?.status;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))).unref();
        });
      }
    } finally {
      off();
    }
  }

  /** Attempts running in this process. */
  get runningAttempts(): number {
    return this.worker?.running ?? 0;
  }

  /**
   * Stops the worker pool gracefully: claims nothing more, lets running attempts finish for up to
   * `graceMs`, hands back the rest (they run again on another worker or after a restart).
   */
  async shutdown(graceMs = 0): Promise<void> {
    this.scheduler?.stop();
    this.sweeper?.stop();
    await this.worker?.drain(graceMs);
    await this.deps.writer.drain();
  }

  /** Stops as a killed process would (tests): nothing more is recorded, leases are left to expire. */
  async die(): Promise<void> {
    this.scheduler?.stop();
    this.sweeper?.stop();
    await this.worker?.die();
    await this.deps.writer.drain();
  }
}
