import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { StopKind, StopRequest } from '../domain/execution-plan-model.ts';
import type { ExecutionStatus } from '../domain/execution-status.ts';
import type { Trigger } from '../domain/records.ts';
import type { DialectCapabilities } from './capabilities.ts';
import type { Database, ExecutionsTable } from './database-schema.ts';
import { fromJson } from './json-column.ts';
import { noteExecutionsLocked } from './execution-row-locks.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What the scheduler reads of an execution to plan it. */
export interface ExecutionSchedule {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: ExecutionStatus;
  trigger: Trigger;
  correlationId: string | null;
  /** Masked. */
  inputs: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  deadlineAt: string | null;
  stop: (StopRequest & { requestedAt: string; actorRecord: Record<string, unknown> | null }) | null;
  /** The secret inputs, sealed; null once erased (the execution ended) or when it had none. */
  sealedSecrets: string | null;
  /** The trigger that started it and, for a webhook, its JSON body (masked): `{{ trigger.… }}`. */
  triggerId: string | null;
  triggerBody: unknown;
  /** The head of the execution's audit chain, when it was read (and locked) with the row. */
  auditHead?: { seq: number; hash: string };
  triggeredBy: string | null;
  /** A child execution: the execution and the `workflow` task run that started it. */
  parentExecutionId: string | null;
  parentTaskRunId: string | null;
}

function toSchedule(row: Selectable<ExecutionsTable>): ExecutionSchedule {
  const actorRecord = row.stop_actor === null ? null : fromJson<Record<string, unknown>>(row.stop_actor);
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as ExecutionStatus,
    trigger: row.trigger as Trigger,
    correlationId: row.correlation_id,
    inputs: fromJson<Record<string, unknown>>(row.inputs),
    createdAt: row.created_at,
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    stop:
      row.stop_requested_at === null
        ? null
        : {
            kind: (row.stop_kind ?? 'cancelled') as StopKind,
            reason: row.stop_reason ?? '',
            actor: typeof actorRecord?.username === 'string' ? actorRecord.username : null,
            requestedAt: row.stop_requested_at,
            actorRecord,
          },
    sealedSecrets: row.sealed_secrets,
    triggerId: row.trigger_id,
    triggerBody: row.trigger_body === null ? undefined : fromJson(row.trigger_body),
    triggeredBy: row.triggered_by,
    parentExecutionId: row.parent_execution_id,
    parentTaskRunId: row.parent_task_run_id,
  };
}

/**
 * Reads executions to decide on them. On PostgreSQL the rows stay locked until the transaction ends,
 * so two processes never plan the same execution at once (every transaction that plans takes this
 * lock first, which also fixes the order in which locks are taken: by id, in one statement).
 * Executions not found are absent from the map.
 */
export async function lockExecutionSchedules(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  ids: readonly string[],
): Promise<Map<string, ExecutionSchedule>> {
  const sorted = [...new Set(ids)].sort();
  const found = new Map<string, ExecutionSchedule>();
  if (sorted.length === 0) return found;
  // The head of its audit chain is read (and on PostgreSQL locked) with it: the transaction is about
  // to append to it, and needs no statement of its own for that. An execution always has a head (its
  // CREATED event) once that has committed; without one, the row is read alone.
  let joined = trx
    .selectFrom('executions')
    .innerJoin('audit_chain_heads as h', (join) => join.on('h.subject_type', '=', 'execution').onRef('h.subject_id', '=', 'executions.id'))
    .selectAll('executions')
    .select(['h.seq as audit_seq', 'h.hash as audit_hash'])
    .where('executions.id', sorted.length === 1 ? '=' : 'in', sorted.length === 1 ? sorted[0]! : sorted)
    .orderBy('executions.id');
  if (caps.rowLocks) joined = joined.forUpdate();
  for (const { audit_seq, audit_hash, ...row } of await joined.execute()) {
    found.set(row.id, { ...toSchedule(row), ...(audit_hash === null ? {} : { auditHead: { seq: audit_seq, hash: audit_hash } }) });
  }
  for (const id of sorted.filter((x) => !found.has(x))) {
    let query = trx.selectFrom('executions').selectAll().where('id', '=', id);
    if (caps.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (row) found.set(id, toSchedule(row));
  }
  if (caps.rowLocks) noteExecutionsLocked(trx, found.keys());
  return found;
}

export async function getExecutionSchedule(db: Db, id: string): Promise<ExecutionSchedule | undefined> {
  const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSchedule(row);
}

/** Records a stop request unless one exists or the execution has ended; returns whether it did. */
export async function requestStop(
  db: Db,
  id: string,
  stop: { kind: StopKind; reason: string; actor: Record<string, unknown> | null; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('executions')
    .set({
      stop_requested_at: stop.now,
      stop_kind: stop.kind,
      stop_reason: stop.reason,
      stop_actor: stop.actor === null ? null : JSON.stringify(stop.actor),
      updated_at: stop.now,
    })
    .where('id', '=', id)
    .where('stop_requested_at', 'is', null)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * For a claim, the executions of the claimed runs: the pending ones among `ids` move to running, and
 * each comes back as it was before the claim started it, for the attempts to run, with the head of
 * its audit chain, for the events the claim records about it. On PostgreSQL one statement, which also
 * locks the heads (in id order); on SQLite, the only writer, a read and an update.
 */
export async function startExecutionsReadingHeads(
  trx: Transaction<Database>,
  caps: DialectCapabilities,
  ids: readonly string[],
  workerId: string,
  now: string,
): Promise<{ started: string[]; heads: Array<{ id: string; seq: number; hash: string | null }>; executions: ExecutionSchedule[] }> {
  if (ids.length === 0) return { started: [], heads: [], executions: [] };
  const sorted = [...ids].sort();
  type Row = Selectable<ExecutionsTable> & { audit_seq: number; audit_hash: string | null; started: boolean | number };
  let rows: Row[];
  if (caps.rowLocks) {
    const list = sql.join(sorted.map((v) => sql`${v}`));
    ({ rows } = await sql<Row>`
      with started as (
        update executions set status = 'running', started_at = ${now}, worker_id = ${workerId}, updated_at = ${now}
        where id in (${list}) and status = 'pending' returning id)
      select e.*, h.seq as audit_seq, h.hash as audit_hash, h.subject_id in (select id from started) as started
      from audit_chain_heads h join executions e on e.id = h.subject_id
      where h.subject_type = 'execution' and h.subject_id in (${list})
      order by h.subject_id for update of h`.execute(trx));
  } else {
    const read = await trx
      .selectFrom('executions')
      .innerJoin('audit_chain_heads as h', (join) =>
        join.on('h.subject_type', '=', 'execution').onRef('h.subject_id', '=', 'executions.id'),
      )
      .selectAll('executions')
      .select(['h.seq as audit_seq', 'h.hash as audit_hash'])
      .where('executions.id', 'in', sorted)
      .orderBy('executions.id')
      .execute();
    const started = new Set(
      (
        await trx
          .updateTable('executions')
          .set({ status: 'running', started_at: now, worker_id: workerId, updated_at: now })
          .where('id', 'in', sorted)
          .where('status', '=', 'pending')
          .returning('id')
          .execute()
      ).map((r) => r.id),
    );
    rows = read.map((r) => ({ ...r, started: started.has(r.id) }));
  }
  // The update locked the rows it started (the others are only read).
  noteExecutionsLocked(
    trx,
    rows.filter((r) => r.started).map((r) => r.id),
  );
  return {
    started: rows.filter((r) => r.started).map((r) => r.id),
    heads: rows.map((r) => ({ id: r.id, seq: r.audit_seq, hash: r.audit_hash })),
    executions: rows.map(({ audit_seq: _seq, audit_hash: _hash, started: _started, ...row }) => toSchedule(row)),
  };
}

/** Executions whose deadline has passed and that nobody has stopped yet. */
export async function listOverdueExecutions(db: Db, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('executions')
    .select('id')
    .where('deadline_at', 'is not', null)
    .where('completed_at', 'is', null)
    .where('deadline_at', '<=', now)
    .where('stop_requested_at', 'is', null)
    .orderBy('deadline_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Ids of executions that have not ended and have nothing under way, oldest first: what a starting
 * worker plans once more (a plan that a stopped process never made, an older version's rows). The
 * rest need no look: with several workers, each start would otherwise plan every live execution.
 */
export async function listStalledExecutionIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('executions')
    .select('id')
    .where('completed_at', 'is', null)
    .where('status', 'in', ['pending', 'running', 'waiting'])
    // Only those nothing is under way in: a run that is running, waiting for a person, or claimable
    // (now or after a backoff) brings its execution's next plan with it.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('task_runs as t')
            .select('t.id')
            .whereRef('t.execution_id', '=', 'executions.id')
            .where((r) =>
              r.or([
                r('t.status', 'in', ['running', 'waiting']),
                r.and([r('t.status', '=', 'pending'), r('t.available_at', 'is not', null)]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Crypto-shredding: the sealed outputs of an ended execution are erased (its sealed inputs go with its terminal update). */
export async function eraseSealedOutputs(db: Db, executionId: string): Promise<void> {
  await db
    .updateTable('task_runs')
    .set({ sealed_output: null })
    .where('execution_id', '=', executionId)
    .where('sealed_output', 'is not', null)
    .execute();
}

/** The latest succeeded attempt of each of `taskIds`: its masked output and, where sealed, the clear one. */
export async function listSucceededOutputs(
  db: Db,
  executionId: string,
  taskIds: readonly string[],
): Promise<Array<{ taskId: string; output: unknown; sealedOutput: string | null }>> {
  if (taskIds.length === 0) return [];
  const rows = await db
    .selectFrom('task_runs')
    .select(['task_id', 'output', 'sealed_output'])
    .where('execution_id', '=', executionId)
    .where('task_id', 'in', [...taskIds])
    .where('status', '=', 'succeeded')
    .where('item_index', 'is', null)
    .execute();
  return rows.map((r) => ({ taskId: r.task_id, output: r.output === null ? null : fromJson(r.output), sealedOutput: r.sealed_output }));
}

/** The runs of one for_each task's items (latest attempt of each, oldest first). */
export async function listItemRuns(
  db: Db,
  executionId: string,
  taskId: string,
): Promise<Array<{ itemIndex: number; status: string; output: unknown; sealedOutput: string | null }>> {
  const rows = await db
    .selectFrom('task_runs')
    .select(['item_index', 'attempt', 'status', 'output', 'sealed_output'])
    .where('execution_id', '=', executionId)
    .where('task_id', '=', taskId)
    .where('item_index', 'is not', null)
    .orderBy('item_index')
    .orderBy('attempt')
    .execute();
  const latest = new Map<number, (typeof rows)[number]>();
  for (const row of rows) latest.set(row.item_index!, row);
  return [...latest.values()].map((r) => ({
    itemIndex: r.item_index!,
    status: r.status,
    output: r.output === null ? null : fromJson(r.output),
    sealedOutput: r.sealed_output,
  }));
}

/** Children of an execution that have not ended and are not being stopped: what a stop cascades to. */
export async function listRunningChildren(db: Db, parentExecutionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('executions')
    .select('id')
    .where('parent_execution_id', '=', parentExecutionId)
    .where('completed_at', 'is', null)
    .where('stop_requested_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

/** Children still running whose parent is being stopped or has ended: the sweeper stops them. */
export async function listOrphanedChildren(db: Db, limit: number): Promise<Array<{ id: string; parentId: string; reason: string }>> {
  const rows = await db
    .selectFrom('executions as c')
    .innerJoin('executions as p', 'p.id', 'c.parent_execution_id')
    .select(['c.id as id', 'p.id as parentId', 'p.stop_reason as reason', 'p.status as parentStatus'])
    .where('c.completed_at', 'is', null)
    .where('c.stop_requested_at', 'is', null)
    .where((eb) => eb.or([eb('p.stop_requested_at', 'is not', null), eb('p.completed_at', 'is not', null)]))
    // A timed-out parent still runs its on_failure tasks, and their children.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('task_runs as r')
            .select('r.id')
            .whereRef('r.id', '=', 'c.parent_task_run_id')
            .where('r.phase', '=', 'on_failure')
            .where('p.stop_kind', '=', 'timed_out')
            .where('p.completed_at', 'is', null),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, parentId: r.parentId, reason: r.reason ?? `parent execution ${r.parentStatus}` }));
}
