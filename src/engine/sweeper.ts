import { toError } from '../domain/task-failure.ts';
import { nowIso } from '../domain/time.ts';
import { listOverdueExecutions, listStalledExecutionIds } from '../store/execution-schedule-repository.ts';
import { listExpiredLeases } from '../store/task-claim-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { stopOrphanedChildren } from './stop-children.ts';
import { requestExecutionStop } from './stop-request.ts';
import { expireLease } from './task-run-leases.ts';

const BATCH = 100;

/**
 * The time-driven part of scheduling, run by every worker process: attempts whose lease expired are
 * ended as LEASE_EXPIRED (and retried per policy), executions past their deadline get a stop request.
 * Several sweepers may look at the same rows; each change is a compare-and-set, so one of them wins
 * and the others change nothing.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private loggedError = false;
  readonly stats = { expired: 0, timedOut: 0 };

  constructor(
    private readonly deps: EngineDeps,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass (also called directly by tests and at start-up). */
  sweep(): Promise<void> {
    return (this.sweeping ??= this.pass().finally(() => (this.sweeping = undefined)));
  }

  /**
   * Plans every unfinished execution that has nothing under way: a worker starting after an upgrade,
   * or after everything was down, finds each execution's next step even if no event announces it.
   */
  async planUnfinished(): Promise<number> {
    let planned = 0;
    for (const id of await listStalledExecutionIds(this.deps.db, 10_000)) {
      await this.deps.writer.submit((trx, tx) => planAndApply(trx, tx, this.deps, id, nowIso()));
      planned += 1;
    }
    return planned;
  }

  private async pass(): Promise<void> {
    try {
      const now = nowIso();
      for (const { id } of await listExpiredLeases(this.deps.db, now, BATCH)) {
        if (await this.deps.writer.submit((trx, tx) => expireLease(trx, tx, this.deps, id, nowIso()))) this.stats.expired += 1;
      }
      for (const id of await listOverdueExecutions(this.deps.db, now, BATCH)) {
        const stopped = await this.deps.writer.submit((trx, tx) =>
          requestExecutionStop(trx, tx, this.deps, id, { kind: 'timed_out', reason: null, actor: null }, nowIso()),
        );
        if (stopped) this.stats.timedOut += 1;
      }
      // After the deadlines: a parent that has just timed out has its children stopped in the same pass.
      await stopOrphanedChildren(this.deps, BATCH);
      this.loggedError = false;
    } catch (e: unknown) {
      if (!this.loggedError) console.error(`runledger: sweeper: ${toError(e).message}`);
      this.loggedError = true;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
