import { Cron } from 'croner';

/** What a due time is computed from. */
export interface CronSchedule {
  cron: string;
  /** IANA time zone name, e.g. `UTC`, `Europe/Paris`. */
  timezone: string;
}

function cronOf(schedule: CronSchedule): Cron {
  // `paused`: croner only computes times here; nothing in Runledger runs on an in-memory timer.
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true, mode: '5-part' });
}

/** Why a cron expression or time zone cannot be used, or undefined when both can. */
export function cronProblem(schedule: CronSchedule): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timezone });
  } catch {
    return `unknown time zone "${schedule.timezone}" (an IANA name such as UTC or Europe/Paris)`;
  }
  try {
    if (cronOf(schedule).nextRun(new Date(0)) === null) return `"${schedule.cron}" never comes due`;
  } catch (e: unknown) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, '');
    return `invalid cron expression "${schedule.cron}": ${reason} (five fields: minute hour day-of-month month day-of-week)`;
  }
  return undefined;
}

/** The first due time strictly after `after`; null when there is none. */
export function nextDueAfter(schedule: CronSchedule, after: Date): Date | null {
  return cronOf(schedule).nextRun(after);
}

/**
 * The due times from `from` (included) up to `to` (included), oldest first, at most `max` of them;
 * `more` says whether due times beyond those were left out.
 */
export function dueTimesBetween(schedule: CronSchedule, from: Date, to: Date, max: number): { times: Date[]; more: boolean } {
  const cron = cronOf(schedule);
  const times: Date[] = [];
  // nextRun is strictly after its argument: start one millisecond before `from` to include it.
  let next = cron.nextRun(new Date(from.getTime() - 1));
  while (next !== null && next.getTime() <= to.getTime()) {
    if (times.length === max) return { times, more: true };
    times.push(next);
    next = cron.nextRun(next);
  }
  return { times, more: false };
}

/** The latest due time at or before `at`; null when there is none. */
export function latestDueAtOrBefore(schedule: CronSchedule, at: Date): Date | null {
  // previousRuns is strictly before its reference: one millisecond after `at` includes `at` itself.
  return cronOf(schedule).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}
