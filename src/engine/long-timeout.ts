import { MAX_TIMER_MS } from '../domain/duration.ts';

/** A timer that can be cancelled. */
export interface LongTimeout {
  clear(): void;
}

/**
 * Calls `fn` once after `ms`, however long that is: Node's own timers hold at most `MAX_TIMER_MS`
 * (a longer delay fires after 1 ms), so a long wait is chained from timers that each fit.
 */
export function longTimeout(fn: () => void, ms: number): LongTimeout {
  const end = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = end - Date.now();
    if (left <= 0) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
