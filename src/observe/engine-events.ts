import type { ExecutionStatus } from '../domain/execution-status.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';

/** An execution was recorded (its transaction committed in this process). */
export interface ExecutionStartedEvent {
  executionId: string;
  workflowId: string;
}

/** An execution reached its terminal status (its transaction committed in this process). */
export interface ExecutionEndedEvent {
  executionId: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionStatus;
  correlationId: string | null;
  createdAt: string;
  completedAt: string;
}

/** An attempt this process ran was recorded as ended (its report was applied, not refused). */
export interface AttemptEndedEvent {
  type: string;
  status: TaskRunStatus;
  durationMs: number;
}

/** What metrics and traces hear from the engine; every method is optional. */
export interface EngineListener {
  executionStarted?(event: ExecutionStartedEvent): void;
  executionEnded?(event: ExecutionEndedEvent): void;
  attemptEnded?(event: AttemptEndedEvent): void;
}

/**
 * The engine's few points of interest to observers, told after the fact (after the commit) and in
 * the process that committed them, so each is told exactly once across a deployment. Without
 * listeners a call is a loop over an empty array: the write path pays nothing for metrics it has not
 * been asked for. A listener that throws is not allowed to disturb the engine.
 */
export class EngineEvents {
  private readonly listeners: EngineListener[] = [];

  listen(listener: EngineListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  executionStarted(event: ExecutionStartedEvent): void {
    for (const l of this.listeners) safely(() => l.executionStarted?.(event));
  }

  executionEnded(event: ExecutionEndedEvent): void {
    for (const l of this.listeners) safely(() => l.executionEnded?.(event));
  }

  attemptEnded(event: AttemptEndedEvent): void {
    for (const l of this.listeners) safely(() => l.attemptEnded?.(event));
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (e: unknown) {
    console.error(`runledger: an engine listener failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
