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

/**
 * Allowed moves; the write path refuses anything else. `pending` is a run created and not yet picked
 * up by a worker; `waiting` is an execution whose only open work is a person's.
 */
const allowed: Record<ExecutionStatus, readonly ExecutionStatus[]> = {
  pending: ['running', 'waiting', 'completed', 'failed', 'cancelled', 'timed_out'],
  running: ['waiting', 'completed', 'failed', 'cancelled', 'timed_out'],
  waiting: ['running', 'completed', 'failed', 'cancelled', 'timed_out'],
  completed: [],
  failed: [],
  cancelled: [],
  timed_out: [],
};

export function canTransitionExecution(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return allowed[from].includes(to);
}
