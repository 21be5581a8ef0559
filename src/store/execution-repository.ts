import {
  PostgresAdapter,
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { ExecutionStatus } from '../domain/execution-status.ts';
import type { Execution, ExecutionContextSnapshot, Trigger } from '../domain/records.ts';
import type { TaskFailure } from '../domain/task-failure.ts';
import type { Database, ExecutionsTable } from './database-schema.ts';
import { visibleExecutions, type ExecutionReadScope } from './execution-visibility.ts';
import { fromJson, toJson, toNullableJson } from './json-column.ts';
import { containsPattern } from './like-pattern.ts';
import { noteExecutionsLocked } from './execution-row-locks.ts';
import { chunks } from './statement-chunks.ts';
import { statementsAsWiths } from './statement-withs.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toExecution(row: Selectable<ExecutionsTable>): Execution {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as ExecutionStatus,
    trigger: row.trigger as Trigger,
    triggerId: row.trigger_id,
    triggeredBy: row.triggered_by,
    correlationId: row.correlation_id,
    title: row.title,
    notes: row.notes,
    inputs: fromJson<Record<string, unknown>>(row.inputs),
    context: row.context === null ? null : fromJson<ExecutionContextSnapshot>(row.context),
    error: row.error === null ? null : fromJson<TaskFailure>(row.error),
    logEntryCount: row.log_entry_count,
    accessScope: row.access_scope,
    workerId: row.worker_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at,
    parentExecutionId: row.parent_execution_id,
    parentTaskRunId: row.parent_task_run_id,
  };
}

export interface NewExecution {
  id: string;
  workflowId: string;
  workflowVersion: number;
  trigger: Trigger;
  triggeredBy: string | null;
  correlationId: string | null;
  title: string | null;
  /** Already masked. */
  inputs: Record<string, unknown>;
  /** Inputs left out of the search index (secret inputs: `input.pw=***` must match nothing). */
  unsearchableInputs?: readonly string[];
  createdAt: string;
  /** The secret inputs, sealed (execution-secrets.ts); null when there are none. */
  sealedSecrets?: string | null;
  /** When the execution times out, from its definition's `timeout`. */
  deadlineAt?: string | null;
  /** The trigger that started it (`schedule`, `webhook`), and a webhook's JSON body, masked. */
  triggerId?: string | null;
  triggerBody?: unknown;
  /** A child execution: the execution and the `workflow` task run that started it. */
  parent?: { executionId: string; taskRunId: string } | null;
}

/** Inserts the execution and one `execution_inputs` row per input that is not secret (the search index). */
export async function insertExecution(db: Db, e: NewExecution): Promise<void> {
  await insertExecutions(db, [e]);
}

/**
 * The longest input value (as text: JSON for a list or an object) the search index holds. PostgreSQL
 * refuses a B-tree index row over 2,704 bytes, and nobody looks an execution up by a whole long list:
 * a longer value is kept with the execution but not indexed (`input.<name>=…` does not find it).
 */
export const MAX_INDEXED_INPUT_BYTES = 2048;

/**
 * Input rows per statement (three parameters each). The callers bound the executions of one
 * transaction (1,000 at 26 parameters a row fit in one statement), not their inputs.
 */
const INPUT_ROWS_PER_STATEMENT = 5000;

/** `insertExecution` for many: one statement for the executions and one for their inputs. */
export async function insertExecutions(db: Db, executions: readonly NewExecution[]): Promise<void> {
  if (executions.length === 0) return;
  // Rows this transaction inserts are its own until it commits.
  noteExecutionsLocked(
    db,
    executions.map((e) => e.id),
  );
  await db
    .insertInto('executions')
    .values(
      executions.map((e) => ({
        id: e.id,
        workflow_id: e.workflowId,
        workflow_version: e.workflowVersion,
        status: 'pending',
        trigger: e.trigger,
        triggered_by: e.triggeredBy,
        correlation_id: e.correlationId,
        title: e.title,
        notes: null,
        inputs: toJson(e.inputs),
        context: null,
        error: null,
        worker_id: null,
        created_at: e.createdAt,
        started_at: null,
        completed_at: null,
        updated_at: e.createdAt,
        deleted_at: null,
        deleted_by: null,
        audit_purged_at: null,
        sealed_secrets: e.sealedSecrets ?? null,
        deadline_at: e.deadlineAt ?? null,
        trigger_id: e.triggerId ?? null,
        trigger_body: e.triggerBody === undefined ? null : toJson(e.triggerBody),
        parent_execution_id: e.parent?.executionId ?? null,
        parent_task_run_id: e.parent?.taskRunId ?? null,
      })),
    )
    .execute();
  const rows = executions.flatMap((e) =>
    Object.entries(e.inputs)
      .filter(([key, v]) => v !== null && v !== undefined && !e.unsearchableInputs?.includes(key))
      .map(([key, v]) => ({ execution_id: e.id, key, value: typeof v === 'string' ? v : JSON.stringify(v) }))
      .filter((row) => Buffer.byteLength(row.value) <= MAX_INDEXED_INPUT_BYTES),
  );
  // Three parameters a row: a bulk start of executions with many inputs each goes out in parts.
  for (const part of chunks(rows, INPUT_ROWS_PER_STATEMENT)) await db.insertInto('execution_inputs').values(part).execute();
}

/** An execution if it exists and the scope may read it; otherwise undefined, whichever the reason. */
export async function getVisibleExecution(db: Db, id: string, scope: ExecutionReadScope): Promise<Execution | undefined> {
  const row = await db
    .selectFrom('executions')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where(visibleExecutions(scope))
    .executeTakeFirst();
  return row && toExecution(row);
}

export async function getExecution(db: Db, id: string): Promise<Execution | undefined> {
  const row = await db.selectFrom('executions').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row && toExecution(row);
}

/** The execution as stored, deleted or not: what verification compares with the audit trail. */
export async function getStoredExecution(db: Db, id: string): Promise<(Execution & { deletedAt: string | null }) | undefined> {
  const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...toExecution(row), deletedAt: row.deleted_at };
}

/** A soft-deleted execution (admin views): when and by whom it was deleted. */
export async function getDeletedExecution(
  db: Db,
  id: string,
): Promise<(Execution & { deletedAt: string; deletedBy: string | null }) | undefined> {
  const row = await db.selectFrom('executions').selectAll().where('id', '=', id).where('deleted_at', 'is not', null).executeTakeFirst();
  return row && { ...toExecution(row), deletedAt: row.deleted_at!, deletedBy: row.deleted_by };
}

/** Hides the execution from everything but admin views; returns whether it was visible before. */
export async function softDeleteExecution(db: Db, id: string, by: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('executions')
    .set({ deleted_at: now, deleted_by: by, updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Live executions that ended before `endedBefore`, oldest first: what record retention deletes. */
export async function listEndedExecutionsBefore(db: Db, endedBefore: string, limit: number): Promise<Execution[]> {
  const rows = await db
    .selectFrom('executions')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('status', 'in', ['completed', 'failed', 'cancelled', 'timed_out'])
    .where('completed_at', '<', endedBefore)
    .orderBy('completed_at')
    .limit(limit)
    .execute();
  return rows.map(toExecution);
}

/** Undoes a soft delete made at or after `deletedSince` (the grace period); returns whether it did. */
export async function restoreDeletedExecution(db: Db, id: string, deletedSince: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('executions')
    .set({ deleted_at: null, deleted_by: null, updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', '>=', deletedSince)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface ExecutionChanges {
  status?: ExecutionStatus;
  context?: ExecutionContextSnapshot | null;
  error?: TaskFailure | null;
  title?: string | null;
  notes?: string | null;
  workerId?: string | null;
  accessScope?: 'private' | 'shared';
  startedAt?: string | null;
  completedAt?: string | null;
  /** Only ever cleared: the sealed secret inputs are erased when the execution ends. */
  sealedSecrets?: null;
  updatedAt: string;
}

/**
 * Updates an execution; with `fromStatuses`, only while it is in one of them (a compare-and-set that
 * keeps two writers from both ending the same execution). Returns whether a row changed.
 */
export async function updateExecution(
  db: Db,
  id: string,
  changes: ExecutionChanges,
  fromStatuses?: readonly ExecutionStatus[],
): Promise<boolean> {
  const result = await guardedUpdate(db, { id, changes, fromStatuses }).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** An execution's change, made only while it is in one of `fromStatuses` (`updateExecution`). */
export interface GuardedExecutionUpdate {
  id: string;
  changes: ExecutionChanges;
  fromStatuses?: readonly ExecutionStatus[] | undefined;
}

/**
 * `updateExecution` of several executions: on PostgreSQL one statement (data-modifying WITHs) rather
 * than a round trip each. Answers which executions changed.
 */
export async function updateExecutions(db: Db, updates: readonly GuardedExecutionUpdate[]): Promise<Set<string>> {
  if (updates.length <= 1 || !(db.getExecutor().adapter instanceof PostgresAdapter)) {
    const changed = new Set<string>();
    for (const u of updates) if (await updateExecution(db, u.id, u.changes, u.fromStatuses)) changed.add(u.id);
    return changed;
  }
  const { withs, rows: changed } = statementsAsWiths(
    'changed',
    updates.map((u) => guardedUpdate(db, u).returning('id')),
  );
  const { rows } = await sql<{ id: string }>`with ${withs} ${changed}`.execute(db);
  return new Set(rows.map((r) => r.id));
}

function guardedUpdate(db: Db, { id, changes, fromStatuses }: GuardedExecutionUpdate) {
  const set: Updateable<ExecutionsTable> = { updated_at: changes.updatedAt };
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.context !== undefined) set.context = toNullableJson(changes.context);
  if (changes.error !== undefined) set.error = toNullableJson(changes.error);
  if (changes.title !== undefined) set.title = changes.title;
  if (changes.notes !== undefined) set.notes = changes.notes;
  if (changes.workerId !== undefined) set.worker_id = changes.workerId;
  if (changes.accessScope !== undefined) set.access_scope = changes.accessScope;
  if (changes.startedAt !== undefined) set.started_at = changes.startedAt;
  if (changes.completedAt !== undefined) set.completed_at = changes.completedAt;
  if (changes.sealedSecrets !== undefined) set.sealed_secrets = changes.sealedSecrets;
  let query = db.updateTable('executions').set(set).where('id', '=', id);
  if (fromStatuses) query = query.where('status', 'in', [...fromStatuses]);
  return query;
}

/** What narrows execution history; the same for a page and for its count. */
export interface ExecutionCriteria {
  /** Who is asking: no result ever holds rows outside it. */
  scope: ExecutionReadScope;
  workflowId?: string | undefined;
  statuses?: readonly ExecutionStatus[] | undefined;
  triggeredBy?: string | undefined;
  /** How it was started; `manual` are the human-run records. */
  trigger?: Trigger | undefined;
  /** Inclusive lower bound on created_at (ISO). */
  from?: string | undefined;
  /** Exclusive upper bound on created_at (ISO). */
  to?: string | undefined;
  /** Case-insensitive substring of the title or the notes. */
  keyword?: string | undefined;
  /** Input values that must all match (through the `execution_inputs` index). */
  inputs?: Readonly<Record<string, string>> | undefined;
  /** Workflow ids a procedure filter resolved to (by id or name); empty matches nothing. */
  workflowIds?: readonly string[] | undefined;
  /** Soft-deleted executions instead of live ones (admin views). */
  deleted?: boolean | undefined;
}

export interface ExecutionFilter extends ExecutionCriteria {
  /** The id of the last row of the previous page. */
  cursor?: string | undefined;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

function matching(criteria: ExecutionCriteria) {
  return (eb: ExpressionBuilder<Database, 'executions'>) => {
    const conditions: Expression<SqlBool>[] = [eb('executions.deleted_at', criteria.deleted ? 'is not' : 'is', null)];
    if (criteria.scope.kind !== 'all') conditions.push(visibleExecutions(criteria.scope)(eb));
    if (criteria.workflowId) conditions.push(eb('executions.workflow_id', '=', criteria.workflowId));
    if (criteria.workflowIds) {
      conditions.push(
        criteria.workflowIds.length > 0 ? eb('executions.workflow_id', 'in', [...criteria.workflowIds]) : sql<SqlBool>`1 = 0`,
      );
    }
    if (criteria.statuses && criteria.statuses.length > 0) conditions.push(eb('executions.status', 'in', [...criteria.statuses]));
    if (criteria.triggeredBy) conditions.push(eb('executions.triggered_by', '=', criteria.triggeredBy));
    if (criteria.trigger) conditions.push(eb('executions.trigger', '=', criteria.trigger));
    if (criteria.from) conditions.push(eb('executions.created_at', '>=', criteria.from));
    if (criteria.to) conditions.push(eb('executions.created_at', '<', criteria.to));
    if (criteria.keyword) {
      const pattern = containsPattern(criteria.keyword);
      conditions.push(
        eb.or([
          sql<SqlBool>`lower(coalesce(executions.title, '')) like ${pattern} escape '\\'`,
          sql<SqlBool>`lower(coalesce(executions.notes, '')) like ${pattern} escape '\\'`,
        ]),
      );
    }
    for (const [key, value] of Object.entries(criteria.inputs ?? {})) {
      conditions.push(
        eb(
          'executions.id',
          'in',
          eb
            .selectFrom('execution_inputs')
            .select('execution_inputs.execution_id')
            .where('execution_inputs.key', '=', key)
            .where('execution_inputs.value', '=', value),
        ),
      );
    }
    return eb.and(conditions);
  };
}

/**
 * Newest first by keyset on the UUIDv7 id: each page is an index range scan whatever the depth,
 * never an OFFSET, and never a count.
 */
export async function listExecutions(db: Db, filter: ExecutionFilter): Promise<Page<Execution>> {
  let query = db.selectFrom('executions').selectAll().where(matching(filter));
  if (filter.cursor) query = query.where('id', '<', filter.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const items = rows.slice(0, filter.limit).map(toExecution);
  const nextCursor = rows.length > filter.limit ? (items.at(-1)?.id ?? null) : null;
  return { items, nextCursor };
}

/** The only place history is counted (the `/count` routes); the list path never counts. */
export async function countExecutions(db: Db, criteria: ExecutionCriteria): Promise<number> {
  const row = await db
    .selectFrom('executions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(matching(criteria))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Executions that have not ended: what recovery resumes after a restart. */
export async function listUnfinishedExecutions(db: Db): Promise<Execution[]> {
  const rows = await db
    .selectFrom('executions')
    .selectAll()
    .where('status', 'in', ['pending', 'running', 'waiting'])
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toExecution);
}
