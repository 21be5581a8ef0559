import parseDuration from 'parse-duration';
import type { TaskContext } from '../task-handler.ts';
import { abortError } from './abort-error.ts';
import { invalidInput } from './task-input.ts';

/** Longest single timer Node keeps; longer ones fire after 1 ms, so long sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration written as number-and-unit groups: `250ms`, `1s`, `1h30m`, `1.5 hours`. */
const DURATION_SHAPE = /^\s*(?:(?:\d+(?:\.\d+)?|\.\d+)\s*[a-zA-Z]*\s*,?\s*)+$/;
const DURATION_TERM = /(?:\d+(?:\.\d+)?|\.\d+)\s*[a-zA-Z]*/g;

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

/**
 * Reads a duration. parse-duration is lenient (it skips terms it does not know, so `1s 5 parsecs` would be
 * 1000 ms); a typo in a definition should fail the task, so the string's shape and every unit are checked first.
 */
export function toMilliseconds(duration: unknown): number {
  let ms: number | null = null;
  if (typeof duration === 'number') {
    ms = duration;
  } else if (typeof duration === 'string' && DURATION_SHAPE.test(duration)) {
    const termsKnown = (duration.match(DURATION_TERM) ?? []).every((term) => parseDuration(term) !== null);
    if (termsKnown) ms = parseDuration(duration);
  }
  if (ms === null || !Number.isFinite(ms) || ms < 0) {
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
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}
