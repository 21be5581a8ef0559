/** Lifecycle of one execution (DESIGN "States"). */
export const ExecutionStatus = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed_out',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

export const EXECUTION_STATUSES = Object.values(ExecutionStatus);

const terminal: ReadonlySet<ExecutionStatus> = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

/** A terminal execution never changes status again. */
export function isTerminalExecutionStatus(status: ExecutionStatus): boolean {
  return terminal.has(status);
}

export function isExecutionStatus(value: string): value is ExecutionStatus {
  return (EXECUTION_STATUSES as readonly string[]).includes(value);
}
