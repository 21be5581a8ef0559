import { parseDurationMs } from '../domain/duration.ts';
import { HANDED_BACK } from '../domain/execution-plan-model.ts';
import type { TaskRun } from '../domain/records.ts';
import { failure, toError, type TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { TaskDefinition } from '../domain/workflow-definition.ts';
import type { EngineDeps } from './engine-deps.ts';
import { longTimeout } from './long-timeout.ts';
import type { Masker } from './masker.ts';
import { TaskExecutionError, type AbortReason, type TaskHandler } from './task-handler.ts';

export interface AttemptOutcome {
  status: Extract<TaskRunStatus, 'succeeded' | 'failed' | 'cancelled' | 'timed_out'>;
  output: unknown;
  error: TaskFailure | null;
  durationMs: number;
}

/**
 * Runs one attempt of an automated task under its timeout and the execution's abort controller,
 * and classifies how it ended. Never throws: every ending is an outcome to record.
 */
export async function runTaskAttempt(
  deps: EngineDeps,
  task: TaskDefinition,
  run: TaskRun,
  input: Record<string, unknown>,
  controller: AbortController,
  masker: Masker,
  traceparent?: string,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const timeoutMs = task.timeout ? parseDurationMs(task.timeout) : undefined;
  // A timeout of weeks is a valid definition: longTimeout holds it where one Node timer cannot.
  const timer =
    timeoutMs === undefined
      ? undefined
      : longTimeout(
          () => controller.abort({ kind: 'timed_out', message: `task ${task.id} timed out after ${task.timeout}` } satisfies AbortReason),
          timeoutMs,
        );
  const handler = deps.handlers[task.type as keyof EngineDeps['handlers']] as TaskHandler | undefined;
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    if (!handler) throw new TaskExecutionError('UNKNOWN_TASK_TYPE', `no handler for task type ${task.type}`);
    const output = await handler({
      executionId: run.executionId,
      taskRunId: run.id,
      taskId: task.id,
      attempt: run.attempt,
      input,
      signal: controller.signal,
      pluginDirs: deps.pluginDirs,
      traceparent,
      secretSafeCut: (bytes, cut) => masker.safeCut(bytes, cut),
      log: (level, source, message) =>
        deps.logSink.append({ executionId: run.executionId, taskRunId: run.id, level, source, message: masker.mask(message) }),
    });
    if (controller.signal.aborted) return aborted(controller.signal.reason as AbortReason, undefined, elapsed());
    return { status: 'succeeded', output: output ?? null, error: null, durationMs: elapsed() };
  } catch (e: unknown) {
    const output = e instanceof TaskExecutionError ? (e.output ?? null) : null;
    if (controller.signal.aborted) return aborted(controller.signal.reason as AbortReason, output, elapsed());
    const error = toError(e);
    const code = e instanceof TaskExecutionError ? e.code : 'TASK_ERROR';
    const taskFailure = failure('task', code, masker.mask(error.message), {
      ...(e instanceof TaskExecutionError ? {} : error.stack ? { stack: masker.mask(error.stack) } : {}),
    });
    return { status: 'failed', output, error: taskFailure, durationMs: elapsed() };
  } finally {
    timer?.clear();
  }
}

function aborted(reason: AbortReason, output: unknown, durationMs: number): AttemptOutcome {
  if (reason.kind === 'handed_back') {
    return { status: 'failed', output: output ?? null, error: failure('lost', HANDED_BACK, reason.message), durationMs };
  }
  if (reason.kind === 'timed_out') {
    return { status: 'timed_out', output: output ?? null, error: failure('timeout', 'TASK_TIMEOUT', reason.message), durationMs };
  }
  return {
    status: 'cancelled',
    output: output ?? null,
    error: failure('cancelled', 'CANCELLED', reason.message, { retryable: false }),
    durationMs,
  };
}
