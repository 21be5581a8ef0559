import type { LogLevel } from '../domain/log-line.ts';
import type { TaskType } from '../domain/workflow-definition.ts';

/** What a task handler gets: its rendered input and the means to log, to stop, and to find plugins. */
export interface TaskContext {
  executionId: string;
  taskRunId: string;
  taskId: string;
  attempt: number;
  /** The task's `with`, templates already rendered (secrets in clear: handlers need them). */
  input: Record<string, unknown>;
  /** Aborted on cancel or timeout; `signal.reason` is an `AbortReason`. Handlers stop promptly. */
  signal: AbortSignal;
  /** One log line. The engine masks secrets and bounds length before anything is stored. */
  log(level: LogLevel, source: string, message: string): void;
  /**
   * Where a too-long line may be cut at or before byte `cut` without cutting a secret in two (each
   * piece is masked on its own). Absent: anywhere.
   */
  secretSafeCut?: (bytes: Buffer, cut: number) => number;
  /** Directories searched for `plugin` executables, in order. */
  pluginDirs: readonly string[];
  /** The attempt's span as a W3C `traceparent`, when traces are on: passed on to what the task calls. */
  traceparent?: string | undefined;
}

/**
 * Why an attempt is being stopped: cancelled (a person, or the lease was lost), timed out (the task's
 * or the execution's timeout), or handed back by a worker that is shutting down (it runs again elsewhere).
 */
export interface AbortReason {
  kind: 'cancelled' | 'timed_out' | 'handed_back';
  message: string;
}

/**
 * Runs one attempt. Resolves with the task's output (any JSON value) on success; rejects with a
 * `TaskExecutionError` on failure (its `output` is kept too, e.g. a shell task's exit code and stderr).
 */
export type TaskHandler = (ctx: TaskContext) => Promise<unknown>;

/** A task's own failure: non-zero exit, non-2xx status, a plugin's error. Retryable by policy. */
export class TaskExecutionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly output?: unknown,
  ) {
    super(message);
    this.name = 'TaskExecutionError';
  }
}

/** Manual steps are completed by people; a `workflow` task starts a child execution (child-executions.ts). */
export type TaskHandlers = Readonly<Record<Exclude<TaskType, 'manual' | 'workflow'>, TaskHandler>>;
