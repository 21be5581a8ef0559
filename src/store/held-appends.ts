import type { Transaction } from 'kysely';
import type { StoredAuditEvent } from './audit-event-repository.ts';
import type { Database } from './database-schema.ts';
import type { ExecutionLogRow } from './execution-log-repository.ts';
import type { TaskRunTransition } from '../domain/records.ts';

/** A task run's move from one state to another, as its transition row will record it. */
export type NewTransition = TaskRunTransition;

/**
 * The append-only writes of a state-change transaction, held until just before it commits and then
 * written together (`writeHeldAppends`): the task runs' transitions, the audit events with their
 * chains' new heads, the scheduler's log lines, and the wake-ups. Only for transactions that never
 * read back what they append (the state writer's). Rows changed in place are written at once, with
 * one exception: the runs a plan made claimable, which only other transactions' claims look for (a
 * claim in the same transaction is handed the ready runs instead, see `PlanningOptions.holdReady`).
 */
export interface HeldAppends {
  transitions: NewTransition[];
  auditEvents: StoredAuditEvent[];
  logLines: Omit<ExecutionLogRow, 'seq'>[];
  notifications: Array<readonly [channel: string, payloads: readonly string[]]>;
  /** Pending runs to make claimable, with the instant they become so. */
  claimable: Array<{ id: string; at: string }>;
}

const held = new WeakMap<object, HeldAppends>();

/** From now on, what `trx` appends is held for `writeHeldAppends`. */
export function holdAppends(trx: Transaction<Database>): void {
  if (!held.has(trx)) held.set(trx, { transitions: [], auditEvents: [], logLines: [], notifications: [], claimable: [] });
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
