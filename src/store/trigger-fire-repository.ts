import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const FIRE_STATUSES = ['started', 'skipped', 'failed'] as const;
export type FireStatus = (typeof FIRE_STATUSES)[number];

/** What became of one due time of a schedule, or of one webhook request. */
export interface TriggerFire {
  id: string;
  workflowId: string;
  triggerId: string;
  kind: 'schedule' | 'webhook';
  /** The due time (schedule) or the request's signature (webhook): unique per trigger. */
  fireKey: string;
  dueAt: string | null;
  status: FireStatus;
  reason: string | null;
  executionId: string | null;
  /** The process that recorded it. */
  firedBy: string | null;
  createdAt: string;
}

/**
 * Records fires; those whose (workflow, trigger, fire key) is already recorded are left as they are.
 * Returns how many were new.
 */
export async function insertFires(trx: Transaction<Database>, fires: readonly TriggerFire[]): Promise<number> {
  if (fires.length === 0) return 0;
  const rows = fires.map((f) => ({
    id: f.id,
    workflow_id: f.workflowId,
    trigger_id: f.triggerId,
    kind: f.kind,
    fire_key: f.fireKey,
    due_at: f.dueAt,
    status: f.status,
    reason: f.reason,
    execution_id: f.executionId,
    fired_by: f.firedBy,
    created_at: f.createdAt,
  }));
  let inserted = 0;
  // In slices: SQLite allows a bounded number of parameters per statement.
  for (let i = 0; i < rows.length; i += 200) {
    const result = await trx
      .insertInto('trigger_fires')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['workflow_id', 'trigger_id', 'fire_key']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

/** A schedule's latest fires, latest due time first. */
export async function listFires(db: Db, workflowId: string, triggerId: string, limit: number): Promise<TriggerFire[]> {
  const rows = await db
    .selectFrom('trigger_fires')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('trigger_id', '=', triggerId)
    .orderBy('due_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    workflowId: r.workflow_id,
    triggerId: r.trigger_id,
    kind: r.kind as TriggerFire['kind'],
    fireKey: r.fire_key,
    dueAt: r.due_at,
    status: r.status as FireStatus,
    reason: r.reason,
    executionId: r.execution_id,
    firedBy: r.fired_by,
    createdAt: r.created_at,
  }));
}

/** How many fires were recorded before `before` (what a retention dry run reports). */
export async function countFiresBefore(db: Db, before: string): Promise<number> {
  const row = await db
    .selectFrom('trigger_fires')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('created_at', '<', before)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes up to `batch` fires recorded before `before`; returns how many it did. A fire older than a
 * day serves no check any more (a webhook's replay window is minutes, and a schedule never looks at
 * due times before its next one), so only its history goes.
 */
export async function deleteFiresBefore(db: Db, before: string, batch: number): Promise<number> {
  const result = await db
    .deleteFrom('trigger_fires')
    .where('id', 'in', (eb) => eb.selectFrom('trigger_fires').select('id').where('created_at', '<', before).limit(batch))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
