import { PostgresAdapter, sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { TaskRun, TaskRunPhase, TaskRunTransition } from '../domain/records.ts';
import type { TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { TaskType } from '../domain/workflow-definition.ts';
import type { Database, TaskRunTransitionsTable, TaskRunsTable } from './database-schema.ts';
import { heldAppends, type NewTransition } from './held-appends.ts';

export type { NewTransition } from './held-appends.ts';
import { fromJson, toJson, toNullableJson } from './json-column.ts';
import { statementsAsWiths } from './statement-withs.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function toTaskRun(row: Selectable<TaskRunsTable>): TaskRun {
  return {
    id: row.id,
    executionId: row.execution_id,
    taskId: row.task_id,
    type: row.type as TaskType,
    attempt: row.attempt,
    status: row.status as TaskRunStatus,
    input: row.input === null ? null : fromJson(row.input),
    output: row.output === null ? null : fromJson(row.output),
    error: row.error === null ? null : fromJson<TaskFailure>(row.error),
    workerId: row.worker_id,
    notes: row.notes,
    completedBy: row.completed_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    durationMs: row.duration_ms,
    updatedAt: row.updated_at,
    availableAt: row.available_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    fence: row.fence,
    outputSealed: row.sealed_output !== null,
    phase: row.phase as TaskRunPhase,
    itemIndex: row.item_index,
    item: row.item === null ? null : fromJson(row.item),
    childExecutionId: row.child_execution_id,
  };
}

function toTransition(row: Selectable<TaskRunTransitionsTable>): TaskRunTransition {
  return {
    id: row.id,
    taskRunId: row.task_run_id,
    executionId: row.execution_id,
    fromState: row.from_state as TaskRunStatus | null,
    toState: row.to_state as TaskRunStatus,
    metadata: fromJson<Record<string, unknown>>(row.metadata),
    createdAt: row.created_at,
  };
}

export interface NewTaskRun {
  id: string;
  executionId: string;
  taskId: string;
  type: TaskType;
  attempt: number;
  status: TaskRunStatus;
  createdAt: string;
  /** Claimable from then on (a retry after its backoff); absent until the planner makes it ready. */
  availableAt?: string | null;
  /** `main` when absent. */
  phase?: TaskRunPhase;
  /** One item of a `for_each` task: its position and the item, masked. */
  itemIndex?: number | null;
  item?: unknown;
}

export async function insertTaskRuns(db: Db, runs: readonly NewTaskRun[]): Promise<void> {
  if (runs.length === 0) return;
  await db
    .insertInto('task_runs')
    .values(
      runs.map((r) => ({
        id: r.id,
        execution_id: r.executionId,
        task_id: r.taskId,
        type: r.type,
        attempt: r.attempt,
        status: r.status,
        input: null,
        output: null,
        error: null,
        worker_id: null,
        notes: null,
        completed_by: null,
        created_at: r.createdAt,
        started_at: null,
        completed_at: null,
        duration_ms: null,
        updated_at: r.createdAt,
        available_at: r.availableAt ?? null,
        phase: r.phase ?? 'main',
        item_index: r.itemIndex ?? null,
        item: r.itemIndex === undefined || r.itemIndex === null ? null : toJson(r.item ?? null),
      })),
    )
    .execute();
}

export interface TaskRunChanges {
  status?: TaskRunStatus;
  input?: unknown;
  output?: unknown;
  error?: TaskFailure | null;
  workerId?: string | null;
  notes?: string | null;
  completedBy?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  durationMs?: number | null;
  availableAt?: string | null;
  sealedOutput?: string | null;
  leaseExpiresAt?: string | null;
  leaseOwner?: string | null;
  childExecutionId?: string | null;
  updatedAt: string;
}

/** Conditions on a claimed run's lease, added to the compare-and-set of an update. */
export interface LeaseGuard {
  /** Only while this worker holds it under this fence (a report of the worker that claimed it). */
  owner?: string;
  fence?: number;
  /** Only while its lease has run out before this instant (the sweeper). */
  expiredBefore?: string;
}

/**
 * Updates a task run; with `fromStatus`, only while it still has that status, and with `lease`, only
 * while its lease is as given (compare-and-set). Returns whether a row changed.
 */
export async function updateTaskRun(
  db: Db,
  id: string,
  changes: TaskRunChanges,
  fromStatus?: TaskRunStatus,
  lease?: LeaseGuard,
): Promise<boolean> {
  const result = await guardedUpdate(db, id, changeSet(changes), fromStatus, lease).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function changeSet(changes: TaskRunChanges): Updateable<TaskRunsTable> {
  const set: Updateable<TaskRunsTable> = { updated_at: changes.updatedAt };
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.input !== undefined) set.input = toNullableJson(changes.input);
  if (changes.output !== undefined) set.output = toNullableJson(changes.output);
  if (changes.error !== undefined) set.error = toNullableJson(changes.error);
  if (changes.workerId !== undefined) set.worker_id = changes.workerId;
  if (changes.notes !== undefined) set.notes = changes.notes;
  if (changes.completedBy !== undefined) set.completed_by = changes.completedBy;
  if (changes.startedAt !== undefined) set.started_at = changes.startedAt;
  if (changes.completedAt !== undefined) set.completed_at = changes.completedAt;
  if (changes.durationMs !== undefined) set.duration_ms = changes.durationMs;
  if (changes.availableAt !== undefined) set.available_at = changes.availableAt;
  if (changes.sealedOutput !== undefined) set.sealed_output = changes.sealedOutput;
  if (changes.leaseExpiresAt !== undefined) set.lease_expires_at = changes.leaseExpiresAt;
  if (changes.leaseOwner !== undefined) set.lease_owner = changes.leaseOwner;
  if (changes.childExecutionId !== undefined) set.child_execution_id = changes.childExecutionId;
  return set;
}

function guardedUpdate(db: Db, id: string, set: Updateable<TaskRunsTable>, fromStatus?: TaskRunStatus, lease?: LeaseGuard) {
  let query = db.updateTable('task_runs').set(set).where('id', '=', id);
  if (fromStatus) query = query.where('status', '=', fromStatus);
  if (lease?.owner !== undefined) query = query.where('lease_owner', '=', lease.owner);
  if (lease?.fence !== undefined) query = query.where('fence', '=', lease.fence);
  if (lease?.expiredBefore !== undefined) query = query.where('lease_expires_at', '<', lease.expiredBefore);
  return query;
}

/** A run's change, made only if the run is still as the guards say (`updateTaskRun`). */
export interface GuardedRunUpdate {
  id: string;
  changes: TaskRunChanges;
  fromStatus?: TaskRunStatus | undefined;
  lease?: LeaseGuard | undefined;
}

/**
 * `updateTaskRun` for each of `updates`, then every run of `executionIds` as they stand after them
 * (in id order): on PostgreSQL in one statement (data-modifying WITHs), for changes that are planned
 * right after. Answers which runs changed.
 */
export async function updateTaskRunsListingRuns(
  db: Db,
  updates: readonly GuardedRunUpdate[],
  executionIds: readonly string[],
): Promise<{ changed: Set<string>; runs: TaskRun[] }> {
  if (updates.length === 0 || !(db.getExecutor().adapter instanceof PostgresAdapter)) {
    const changed = new Set<string>();
    for (const u of updates) if (await updateTaskRun(db, u.id, u.changes, u.fromStatus, u.lease)) changed.add(u.id);
    return { changed, runs: await listTaskRunsByExecutions(db, executionIds) };
  }
  const { withs, rows: moved } = statementsAsWiths(
    'moved',
    updates.map((u) => guardedUpdate(db, u.id, changeSet(u.changes), u.fromStatus, u.lease).returningAll()),
  );
  const others =
    executionIds.length === 0
      ? sql`false`
      : sql`execution_id in (${sql.join(executionIds.map((id) => sql`${id}`))}) and id not in (select id from moved)`;
  const { rows } = await sql<Selectable<TaskRunsTable> & { changed: boolean }>`
    with ${withs}, moved as (${moved})
    select *, true as changed from moved
    union all
    select *, false as changed from task_runs where ${others}
    order by id`.execute(db);
  const listed = new Set(executionIds);
  return {
    changed: new Set(rows.filter((r) => r.changed).map((r) => r.id)),
    runs: rows.filter((r) => listed.has(r.execution_id)).map(({ changed: _changed, ...row }) => toTaskRun(row)),
  };
}

export async function getTaskRun(db: Db, id: string): Promise<TaskRun | undefined> {
  const row = await db.selectFrom('task_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTaskRun(row);
}

/** Every attempt of every task of an execution, in creation order. */
export async function listTaskRunsByExecution(db: Db, executionId: string): Promise<TaskRun[]> {
  const rows = await db.selectFrom('task_runs').selectAll().where('execution_id', '=', executionId).orderBy('id').execute();
  return rows.map(toTaskRun);
}

/** What a plan of an execution with `for_each` tasks reads (`listRunsForPlanning`). */
export interface RunsForPlanning {
  /** Every run but the items left out below. */
  runs: TaskRun[];
  /** Per task: how many of its items succeeded (none of them is in `runs`). */
  settledItems: Map<string, number>;
  /** False when runs were left out: items that succeeded, or items waiting to start beyond the first ones. */
  complete: boolean;
}

/**
 * The runs a plan of an execution with `for_each` tasks reads: every run but two kinds of items. The
 * items that succeeded are only counted per task; of the items still waiting to start (pending, not
 * yet claimable), only the first `waitingPerTask` of each task in item order, the most one plan can
 * start. A plan that makes the next items ready, or takes one more report of an item, needs no more;
 * a plan that ends a `for_each` task, skips or cancels runs, evaluates a condition or ends the
 * execution is made again from every run (`listTaskRunsByExecution`). Without this, each report of an
 * item would read every item: a thousand items, a million rows.
 */
export async function listRunsForPlanning(db: Db, executionId: string, waitingPerTask: number): Promise<RunsForPlanning> {
  const rows = await db
    .selectFrom('task_runs')
    .selectAll()
    .where('execution_id', '=', executionId)
    .where((eb) =>
      eb.or([
        eb('item_index', 'is', null),
        eb.and([eb('status', '!=', 'succeeded'), eb.or([eb('status', '!=', 'pending'), eb('available_at', 'is not', null)])]),
      ]),
    )
    .orderBy('id')
    .execute();
  const waiting = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('task_runs')
        .selectAll()
        .select(sql<number>`row_number() over (partition by task_id order by item_index, attempt)`.as('position'))
        .where('execution_id', '=', executionId)
        .where('item_index', 'is not', null)
        .where('status', '=', 'pending')
        .where('available_at', 'is', null)
        .as('w'),
    )
    .selectAll()
    .where('position', '<=', waitingPerTask)
    .execute();
  const counts = await db
    .selectFrom('task_runs')
    .select(['task_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('execution_id', '=', executionId)
    .where('item_index', 'is not', null)
    .where((eb) => eb.or([eb('status', '=', 'succeeded'), eb.and([eb('status', '=', 'pending'), eb('available_at', 'is', null)])]))
    .groupBy(['task_id', 'status'])
    .execute();
  const settledItems = new Map<string, number>();
  let waitingCount = 0;
  for (const c of counts) {
    if (c.status === 'succeeded') settledItems.set(c.task_id, Number(c.n));
    else waitingCount += Number(c.n);
  }
  const runs = [...rows.map(toTaskRun), ...waiting.map(({ position: _position, ...row }) => toTaskRun(row))].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return { runs, settledItems, complete: settledItems.size === 0 && waiting.length === waitingCount };
}

/** Task runs of many executions in one query (no N+1 when listing). */
export async function listTaskRunsByExecutions(db: Db, executionIds: readonly string[]): Promise<TaskRun[]> {
  if (executionIds.length === 0) return [];
  const rows = await db
    .selectFrom('task_runs')
    .selectAll()
    .where('execution_id', 'in', [...executionIds])
    .orderBy('id')
    .execute();
  return rows.map(toTaskRun);
}

export async function insertTransitions(db: Db, transitions: readonly NewTransition[]): Promise<void> {
  if (transitions.length === 0) return;
  const held = heldAppends(db);
  if (held) {
    held.transitions.push(...transitions);
    return;
  }
  await db.insertInto('task_run_transitions').values(transitionRows(transitions)).execute();
}

export function transitionRows(transitions: readonly NewTransition[]): Insertable<TaskRunTransitionsTable>[] {
  return transitions.map((t) => ({
    id: t.id,
    task_run_id: t.taskRunId,
    execution_id: t.executionId,
    from_state: t.fromState,
    to_state: t.toState,
    metadata: toJson(t.metadata),
    created_at: t.createdAt,
  }));
}

export async function listTransitions(db: Db, taskRunId: string): Promise<TaskRunTransition[]> {
  const rows = await db.selectFrom('task_run_transitions').selectAll().where('task_run_id', '=', taskRunId).orderBy('id').execute();
  return rows.map(toTransition);
}

export async function listTransitionsByExecution(db: Db, executionId: string): Promise<TaskRunTransition[]> {
  const rows = await db.selectFrom('task_run_transitions').selectAll().where('execution_id', '=', executionId).orderBy('id').execute();
  return rows.map(toTransition);
}
