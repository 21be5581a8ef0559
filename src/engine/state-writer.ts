import type { Kysely, Transaction } from 'kysely';
import { setTimeout as delay } from 'node:timers/promises';
import { toError } from '../domain/task-failure.ts';
import { storeFailure, type WriteHealth } from '../store/store-failure.ts';
import type { Database } from '../store/database-schema.ts';
import { holdAppends } from '../store/held-appends.ts';
import { writeHeldAppends } from '../store/transaction-tail.ts';

/** What a change may ask of the transaction it runs in. */
export interface TxHooks {
  /**
   * Runs `fn` in the transaction after every change of the batch, just before the commit: writes that
   * many changes add to (log lines, notifications) go out as one statement for the whole batch.
   * Phase `notify` runs after every `write`, so a notification covers what the writes added.
   */
  beforeCommit(fn: (trx: Transaction<Database>) => Promise<void>, phase?: 'write' | 'notify'): void;
  /** Runs `fn` once the transaction has committed (never if it rolls back): wake-ups, local events. */
  afterCommit(fn: () => void): void;
}

/** One state change: the writes that must commit together (row update, transition, audit). */
export type StateChange<T = void> = (trx: Transaction<Database>, tx: TxHooks) => Promise<T>;

interface Queued {
  change: StateChange<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How often a transaction that failed for a passing reason (a lock, a deadlock, a lost connection) runs again. */
const MAX_TRANSIENT_RETRIES = 8;

/**
 * Runs `changes` in one transaction; their after-commit hooks run only if it commits. A transient
 * store failure rolls back and runs the same transaction again after a pause that grows (the event
 * loop stays free meanwhile); a lasting one (a full disk) is reported to `health` and thrown.
 */
async function runInTransaction(db: Kysely<Database>, changes: readonly StateChange<unknown>[], health?: WriteHealth): Promise<unknown[]> {
  for (let attempt = 1; ; attempt++) {
    const hooks: (() => void)[] = [];
    const finishers: ((trx: Transaction<Database>) => Promise<void>)[] = [];
    const notifiers: ((trx: Transaction<Database>) => Promise<void>)[] = [];
    const tx: TxHooks = {
      beforeCommit: (fn, phase = 'write') => (phase === 'write' ? finishers : notifiers).push(fn),
      afterCommit: (fn) => hooks.push(fn),
    };
    try {
      const results = await db.transaction().execute(async (trx) => {
        // What the changes append (transitions, audit events, log lines, wake-ups) is written last, together.
        holdAppends(trx);
        const out: unknown[] = [];
        for (const change of changes) out.push(await change(trx, tx));
        for (const finish of finishers) await finish(trx);
        for (const finish of notifiers) await finish(trx);
        await writeHeldAppends(trx);
        return out;
      });
      health?.succeeded();
      for (const hook of hooks) {
        try {
          hook();
        } catch (e: unknown) {
          console.error(`runledger: an after-commit hook failed: ${toError(e).message}`);
        }
      }
      return results;
    } catch (e: unknown) {
      const failure = storeFailure(e);
      if (failure?.transient && attempt < MAX_TRANSIENT_RETRIES) {
        await delay(Math.min(1000, 20 * 2 ** attempt));
        continue;
      }
      if (failure) health?.failed(failure);
      throw e;
    }
  }
}

export interface StateWriterOptions {
  /** Most changes in one transaction. */
  maxBatch?: number;
  /**
   * Transactions in flight at once. SQLite has one writer, so 1; PostgreSQL commits concurrent
   * transactions in parallel, so a few batches in flight keep its connections busy.
   */
  maxInFlight?: number;
  /** Told when writes fail (and work again), for `/readyz` and the log. */
  health?: WriteHealth;
}

/**
 * The write path (DESIGN invariant 1). Each change runs inside a transaction together with its
 * transition row; changes that are ready at the same moment share one transaction (group commit),
 * because a commit costs one fsync and one-row commits cap at a few thousand per second.
 *
 * A change that throws is not allowed to sink its neighbours: the batch is rolled back and every
 * change in it is replayed in a transaction of its own, so each caller learns its own outcome. A
 * deadlock or serialization failure (PostgreSQL) rolls back and runs the same transaction again.
 */
export class StateWriter {
  private queue: Queued[] = [];
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly health: WriteHealth | undefined;
  /** Commits made, and changes they carried: the group-commit ratio. */
  readonly stats = { commits: 0, changes: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    options: StateWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.health = options.health;
  }

  /** Resolves once the change has committed (with whatever it returned); rejects if it rolled back. */
  submit<T>(change: StateChange<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ change, resolve: (v: unknown) => resolve(v as T), reject });
      this.schedule();
    });
  }

  /** Waits until everything submitted so far has committed or failed. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0 && !this.scheduled) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate lets every change made ready by the same I/O event join this batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
        // Spread what is ready over the free transactions: they commit in parallel where the store allows.
        const size = Math.min(this.maxBatch, Math.ceil(this.queue.length / (this.maxInFlight - this.inFlight)));
        const batch = this.queue.splice(0, size);
        this.inFlight += 1;
        void this.flush(batch).finally(() => {
          this.inFlight -= 1;
          this.schedule();
          if (this.queue.length === 0 && this.inFlight === 0 && !this.scheduled) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
        });
      }
    });
  }

  private async flush(batch: Queued[]): Promise<void> {
    try {
      const results = await runInTransaction(
        this.db,
        batch.map((item) => item.change),
        this.health,
      );
      this.stats.commits += 1;
      this.stats.changes += batch.length;
      batch.forEach((item, i) => item.resolve(results[i]));
    } catch (e: unknown) {
      if (batch.length === 1) return batch[0]!.reject(toError(e));
      for (const item of batch) await this.runAlone(item);
    }
  }

  private async runAlone(item: Queued): Promise<void> {
    try {
      const [result] = await runInTransaction(this.db, [item.change], this.health);
      this.stats.commits += 1;
      this.stats.changes += 1;
      item.resolve(result);
    } catch (e: unknown) {
      item.reject(toError(e));
    }
  }
}
