import { toError } from '../domain/task-failure.ts';
import { earliestDueAt, listDueSchedules } from '../store/trigger-schedule-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { ExecutionCommands } from './execution-commands.ts';
import { fireDueSchedule } from './schedule-fire.ts';

const BATCH = 100;

/** Due schedules fired at once: their claims share the write path's group commits. */
const PARALLEL = 16;

/** The shortest wait between two looks, so that a due time that cannot be claimed never spins the loop. */
const MIN_WAIT_MS = 20;

export interface TriggerSchedulerOptions {
  /** Longest wait between two looks at the store. */
  pollMs: number;
  /** How late a due time may be found and still run; later ones count as missed (default: 1 min, at least two polls). */
  graceMs?: number;
}

/**
 * Starts scheduled workflows, in every worker process. Holds no timer per schedule: it looks at the
 * store (at start, then every poll or at the earliest due time, whichever comes first) and claims
 * what is due there, so any number of processes may run it and each due time starts one execution.
 */
export class TriggerScheduler {
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private stopped = false;
  private loggedError = false;
  readonly graceMs: number;
  readonly stats = { started: 0, skipped: 0, lost: 0 };

  constructor(
    private readonly deps: EngineDeps,
    private readonly commands: ExecutionCommands,
    private readonly options: TriggerSchedulerOptions,
  ) {
    this.graceMs = options.graceMs ?? Math.max(60_000, 2 * options.pollMs);
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One look at the store at `now` (tests pass their own clock). */
  pass(now: Date = new Date()): Promise<void> {
    return (this.passing ??= this.claimDue(now).finally(() => (this.passing = undefined)));
  }

  private async loop(): Promise<void> {
    await this.pass();
    if (this.stopped) return;
    let wait = this.options.pollMs;
    // After a failed pass, the full poll: the store (or a schedule) has a problem the log has named.
    if (!this.loggedError) {
      try {
        const earliest = await earliestDueAt(this.deps.db);
        if (earliest !== null) wait = Math.min(wait, Math.max(MIN_WAIT_MS, Date.parse(earliest) - Date.now()));
      } catch {
        // the next pass says what is wrong with the store
      }
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), wait).unref();
  }

  private async claimDue(now: Date): Promise<void> {
    try {
      const due = await listDueSchedules(this.deps.db, now.toISOString(), BATCH);
      for (let i = 0; i < due.length && !this.stopped; i += PARALLEL) {
        const outcomes = await Promise.allSettled(
          due.slice(i, i + PARALLEL).map((row) => fireDueSchedule(this.deps, this.commands, row, now, this.graceMs)),
        );
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') throw outcome.reason;
          if (!outcome.value.claimed) this.stats.lost += 1;
          if (outcome.value.execution) this.stats.started += 1;
          this.stats.skipped += outcome.value.skipped;
        }
      }
      this.loggedError = false;
    } catch (e: unknown) {
      if (!this.loggedError) console.error(`runledger: scheduler: ${toError(e).message}`);
      this.loggedError = true;
    }
  }
}
