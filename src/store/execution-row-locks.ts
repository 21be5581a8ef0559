import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

/**
 * The executions whose rows each open transaction holds locked on PostgreSQL: read `for update`,
 * updated, or inserted by it. A statement that would lock some of them again, only to take the locks
 * in one order (`lockLogCounters`), is not needed when the transaction holds them all already.
 * Forgotten with the transaction.
 */
const lockedByTransaction = new WeakMap<Kysely<Database>, Set<string>>();

/** Notes that `db` holds the rows of `ids` locked (only a transaction holds locks past its statement). */
export function noteExecutionsLocked(db: Kysely<Database>, ids: Iterable<string>): void {
  if (!db.isTransaction) return;
  let locked = lockedByTransaction.get(db);
  if (!locked) lockedByTransaction.set(db, (locked = new Set()));
  for (const id of ids) locked.add(id);
}

/** Whether `db`, a transaction, holds the rows of every one of `ids` locked. */
export function holdsExecutionLocks(db: Kysely<Database>, ids: readonly string[]): boolean {
  const locked = lockedByTransaction.get(db);
  return locked !== undefined && ids.every((id) => locked.has(id));
}
