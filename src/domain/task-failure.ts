/**
 * A stored failure is data: why a task run or an execution did not succeed.
 * `type` says which part of the system ended it; `code` is stable and machine-readable.
 */
export const FailureType = {
  task: 'task',
  timeout: 'timeout',
  cancelled: 'cancelled',
  lost: 'lost',
  skipped: 'skipped',
  internal: 'internal',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export interface TaskFailure {
  type: FailureType;
  code: string;
  message: string;
  stack?: string;
  retryable: boolean;
}

export function failure(type: FailureType, code: string, message: string, extra: Partial<TaskFailure> = {}): TaskFailure {
  return { type, code, message, retryable: type === 'task' || type === 'timeout' || type === 'lost', ...extra };
}

/** Turns anything thrown into an Error, so `catch (e: unknown)` can always read a message. */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : JSON.stringify(e));
}
