import type { TaskType } from '../domain/workflow-definition.ts';

export const LogLevel = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];
export const LOG_LEVELS = Object.values(LogLevel);

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
  /** Directories searched for `plugin` executables, in order. */
  pluginDirs: readonly string[];
}

export interface AbortReason {
  kind: 'cancelled' | 'timed_out';
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

export type TaskHandlers = Readonly<Record<Exclude<TaskType, 'manual'>, TaskHandler>>;
