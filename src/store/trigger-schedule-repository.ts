import type { Kysely, Transaction } from 'kysely';
import type { DialectCapabilities } from './capabilities.ts';
import type { Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A schedule trigger as the scheduler keeps it: when it is next due. */
export interface TriggerScheduleRow {
  workflowId: string;
  triggerId: string;
  cron: string;
  timezone: string;
  nextDueAt: string;
}

function toRow(r: { workflow_id: string; trigger_id: string; cron: string; timezone: string; next_due_at: string }): TriggerScheduleRow {
  return { workflowId: r.workflow_id, triggerId: r.trigger_id, cron: r.cron, timezone: r.timezone, nextDueAt: r.next_due_at };
}

export async function listWorkflowSchedules(db: Db, workflowId: string): Promise<TriggerScheduleRow[]> {
  const rows = await db.selectFrom('trigger_schedules').selectAll().where('workflow_id', '=', workflowId).execute();
  return rows.map(toRow);
}

/** Every schedule (or one workflow's), soonest first. */
export async function listSchedules(db: Db, workflowId?: string): Promise<TriggerScheduleRow[]> {
  let query = db.selectFrom('trigger_schedules').selectAll().orderBy('next_due_at').orderBy('workflow_id').orderBy('trigger_id');
  if (workflowId !== undefined) query = query.where('workflow_id', '=', workflowId);
  return (await query.execute()).map(toRow);
}

/** The schedules due at `now`, most overdue first. */
export async function listDueSchedules(db: Db, now: string, limit: number): Promise<TriggerScheduleRow[]> {
  const rows = await db
    .selectFrom('trigger_schedules')
    .selectAll()
    .where('next_due_at', '<=', now)
    .orderBy('next_due_at')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/** The earliest due time of all schedules (the scheduler sleeps until then at most). */
export async function earliestDueAt(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('trigger_schedules')
    .select((eb) => eb.fn.min('next_due_at').as('at'))
    .executeTakeFirst();
  return (row?.at as string | null | undefined) ?? null;
}

export async function upsertSchedule(trx: Transaction<Database>, row: TriggerScheduleRow, now: string): Promise<void> {
  await trx
    .insertInto('trigger_schedules')
    .values({
      workflow_id: row.workflowId,
      trigger_id: row.triggerId,
      cron: row.cron,
      timezone: row.timezone,
      next_due_at: row.nextDueAt,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['workflow_id', 'trigger_id'])
        .doUpdateSet({ cron: row.cron, timezone: row.timezone, next_due_at: row.nextDueAt, updated_at: now }),
    )
    .execute();
}

/** Removes a workflow's schedules, all of them or those not in `keep`. */
export async function deleteSchedules(trx: Transaction<Database>, workflowId: string, keep: readonly string[] = []): Promise<void> {
  let query = trx.deleteFrom('trigger_schedules').where('workflow_id', '=', workflowId);
  if (keep.length > 0) query = query.where('trigger_id', 'not in', keep);
  await query.execute();
}

/**
 * The claim of a due time: moves `next_due_at` on from the value the caller saw. Only one of several
 * processes that saw the same value succeeds; returns whether this one did. On PostgreSQL a row
 * another transaction holds is skipped, not waited for: that process is firing it, and two schedulers
 * claiming several due times in crossing orders would otherwise deadlock (and stall for the deadlock
 * timeout before one of them is told).
 */
export async function advanceSchedule(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  key: { workflowId: string; triggerId: string },
  seen: string,
  next: string,
  now: string,
): Promise<boolean> {
  if (caps.skipLocked) {
    const free = await trx
      .selectFrom('trigger_schedules')
      .select('trigger_id')
      .where('workflow_id', '=', key.workflowId)
      .where('trigger_id', '=', key.triggerId)
      .where('next_due_at', '=', seen)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!free) return false;
  }
  const result = await trx
    .updateTable('trigger_schedules')
    .set({ next_due_at: next, updated_at: now })
    .where('workflow_id', '=', key.workflowId)
    .where('trigger_id', '=', key.triggerId)
    .where('next_due_at', '=', seen)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
