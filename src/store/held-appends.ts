import type { Transaction } from 'kysely';
import type { StoredAuditEvent } from './audit-event-repository.ts';
import type { Database } from './database-schema.ts';
import type { ExecutionLogRow } from './execution-log-repository.ts';
import type { NewTransition } from './task-run-repository.ts';

/**
 * The append-only writes of a state-change transaction, held until just before it commits and then
 * written together (`writeHeldAppends`): the task runs' transitions, the audit events with their
 * chains' new heads, the scheduler's log lines, and the wake-ups. Only for transactions that never
 * read back what they append (the state writer's); rows changed in place are written at once.
 */
export interface HeldAppends {
  transitions: NewTransition[];
  auditEvents: StoredAuditEvent[];
  logLines: Omit<ExecutionLogRow, 'seq'>[];
  notifications: Array<readonly [channel: string, payloads: readonly string[]]>;
}

const held = new WeakMap<object, HeldAppends>();

/** From now on, what `trx` appends is held for `writeHeldAppends`. */
export function holdAppends(trx: Transaction<Database>): void {
  if (!held.has(trx)) held.set(trx, { transitions: [], auditEvents: [], logLines: [], notifications: [] });
}

/** The appends `db` holds, when it is a transaction that holds them. */
export function heldAppends(db: object): HeldAppends | undefined {
  return held.get(db);
}

/** Hands the held appends over to be written (and stops holding). */
export function takeHeldAppends(trx: Transaction<Database>): HeldAppends | undefined {
  const appends = held.get(trx);
  held.delete(trx);
  return appends;
}
