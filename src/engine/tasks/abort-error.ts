/**
 * The rejection of a handler stopped by `ctx.signal`: an `Error` named `AbortError` whose message is
 * the abort reason's message (`AbortReason.message`), with the reason itself as `cause`. It is not a
 * `TaskExecutionError`: the task did not fail, it was stopped, and the engine reads why from the signal.
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reasonMessage(reason), { cause: reason });
  error.name = 'AbortError';
  return error;
}

function reasonMessage(reason: unknown): string {
  if (typeof reason === 'object' && reason !== null && 'message' in reason && typeof reason.message === 'string') {
    return reason.message;
  }
  return reason === undefined ? 'aborted' : typeof reason === 'string' ? reason : JSON.stringify(reason);
}
