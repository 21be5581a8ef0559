import { MAX_TIMER_MS, parseDurationMs } from '../../domain/duration.ts';
import type { TaskContext } from '../task-handler.ts';
import { abortError } from './abort-error.ts';
import { invalidInput } from './task-input.ts';

export interface SleepTaskOutput {
  sleptMs: number;
}

/**
 * `type: sleep` — waits `with.duration` (milliseconds as a number, or a string such as `1s`, `250ms`,
 * `1h30m`) and resolves `{ sleptMs }`; rejects at once with `abortError` when `ctx.signal` aborts.
 */
export async function sleepTask(ctx: TaskContext): Promise<SleepTaskOutput> {
  const ms = toMilliseconds(ctx.input.duration);
  if (ctx.signal.aborted) throw abortError(ctx.signal);
  await abortableDelay(ms, ctx.signal);
  return { sleptMs: ms };
}

/** Reads `with.duration` with the same grammar as every other duration (domain/duration.ts). */
export function toMilliseconds(duration: unknown): number {
  const ms = typeof duration === 'number' || typeof duration === 'string' ? parseDurationMs(duration) : undefined;
  if (ms === undefined) {
    throw invalidInput(`with.duration must be milliseconds or a duration such as "1s", "250ms", "1h30m"; got ${JSON.stringify(duration)}`);
  }
  return Math.round(ms);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + ms;
    let timer: NodeJS.Timeout;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const arm = (): void => {
      const left = end - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      // Node holds at most MAX_TIMER_MS in one timer (longer fires after 1 ms): long sleeps are chained.
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}
