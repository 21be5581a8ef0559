/** Lifecycle of one attempt of one task (DESIGN "States"). */
export const TaskRunStatus = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed_out',
  skipped: 'skipped',
} as const;
export type TaskRunStatus = (typeof TaskRunStatus)[keyof typeof TaskRunStatus];

export const TASK_RUN_STATUSES = Object.values(TaskRunStatus);

const terminal: ReadonlySet<TaskRunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped']);

export function isTerminalTaskRunStatus(status: TaskRunStatus): boolean {
  return terminal.has(status);
}

/** Allowed moves; anything else is a bug in the engine and is refused by the write path. */
const allowed: Record<TaskRunStatus, readonly TaskRunStatus[]> = {
  pending: ['running', 'waiting', 'skipped', 'cancelled', 'timed_out', 'failed'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out'],
  waiting: ['succeeded', 'failed', 'cancelled', 'timed_out'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
  skipped: [],
};

export function canTransitionTaskRun(from: TaskRunStatus, to: TaskRunStatus): boolean {
  return allowed[from].includes(to);
}
