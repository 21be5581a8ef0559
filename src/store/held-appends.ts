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

/**
 * Bound parameters each held row costs at most, in the statements that write it (audit events with
 * their chain heads; log lines with their counters).
 */
const PARAMETERS_PER_ROW = { claimable: 2, transitions: 7, auditEvents: 13 + 4, logLines: 8 + 2 } as const;

/**
 * Parameters one statement may carry: SQLite takes 32,766 and PostgreSQL 65,535, and on PostgreSQL
 * all the held appends go out as one statement. A transaction that holds more (a bulk start of
 * executions that each record several events) writes them in parts, in the order they were held.
 */
export const MAX_PARAMETERS_PER_STATEMENT = 30_000;

/**
 * The held appends in parts of at most `maxParameters` parameters each (one part when they fit),
 * every list keeping its order; the wake-ups go with the last part.
 */
export function partsOfHeldAppends(appends: HeldAppends, maxParameters = MAX_PARAMETERS_PER_STATEMENT): HeldAppends[] {
  const empty = (): HeldAppends => ({ transitions: [], auditEvents: [], logLines: [], notifications: [], claimable: [] });
  const parts: HeldAppends[] = [empty()];
  let used = 0;
  const lists = ['claimable', 'transitions', 'auditEvents', 'logLines'] as const;
  for (const list of lists) {
    const cost = PARAMETERS_PER_ROW[list];
    for (const row of appends[list]) {
      if (used + cost > maxParameters) {
        parts.push(empty());
        used = 0;
      }
      (parts.at(-1)![list] as unknown[]).push(row);
      used += cost;
    }
  }
  parts.at(-1)!.notifications = appends.notifications;
  return parts;
}
