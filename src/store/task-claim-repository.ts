import { PostgresAdapter, sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { TaskRun } from '../domain/records.ts';
import type { TaskFailure } from '../domain/task-failure.ts';
import type { TaskRunStatus } from '../domain/task-run-status.ts';
import type { DialectCapabilities } from './capabilities.ts';
import type { Database, TaskRunsTable } from './database-schema.ts';
import { heldAppends } from './held-appends.ts';
import { toNullableJson } from './json-column.ts';
import { toTaskRun } from './task-run-repository.ts';
import type { Selectable } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * `task_runs` read through its claimable index. Without statistics SQLite prefers the status index,
 * which walks every pending run, including the many not yet claimable (the later steps of a chain, the
 * items of a for_each waiting for a slot): a claim would cost time in proportion to the backlog.
 */
function claimableRuns(db: Db): RawBuilder<unknown> {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql`task_runs` : sql`task_runs indexed by task_runs_claimable_idx`;
}

/**
 * Claims and leases (DESIGN "Engine: the store is the scheduler"). A worker claims ready runs in a
 * batch: each moves pending → running under a lease (`lease_owner`, `lease_expires_at`) and its
 * `fence` goes up by one. Every later report about the run names (owner, fence) and changes nothing
 * when either has moved on.
 */

export interface ClaimRequest {
  owner: string;
  limit: number;
  now: string;
  leaseExpiresAt: string;
  /**
   * Runs this transaction has just found ready (under their execution's lock) and not yet marked
   * claimable: they compete with the claimable ones as available now, and those not claimed are
   * marked claimable (on PostgreSQL in the same statement, with data-modifying WITHs).
   */
  ready?: readonly string[];
}

/**
 * Claims up to `limit` claimable runs, oldest first. On PostgreSQL the candidates are locked with
 * `FOR UPDATE SKIP LOCKED`, so workers claiming at once never wait for each other and never take the
 * same run; on SQLite the single writer does the same.
 */
export async function claimTaskRuns(trx: Transaction<Database>, caps: DialectCapabilities, req: ClaimRequest): Promise<TaskRun[]> {
  if (req.limit <= 0) return [];
  if (req.ready && req.ready.length > 0)
    return caps.skipLocked ? claimWithReady(trx, req, req.ready) : claimWithReadyAsOnlyWriter(trx, req, req.ready);
  const lock = caps.skipLocked ? sql` for update skip locked` : sql``;
  const { rows } = await sql<Selectable<TaskRunsTable>>`
    update task_runs set status = 'running', lease_owner = ${req.owner}, lease_expires_at = ${req.leaseExpiresAt},
      heartbeat_at = ${req.now}, fence = fence + 1, started_at = ${req.now}, worker_id = ${req.owner}, updated_at = ${req.now}
    where id in (
      select id from ${claimableRuns(trx)}
      where status = 'pending' and available_at is not null and available_at <= ${req.now}
      order by available_at, id limit ${req.limit}${lock})
    returning *`.execute(trx);
  return rows.map(toTaskRun).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * One statement that claims among the claimable runs and those just found ready, oldest first, and
 * makes the ready ones it did not take claimable: a chain's next step is claimed by the transaction
 * that reported the step before it, in the round trip that would otherwise only mark it ready.
 */
async function claimWithReady(trx: Transaction<Database>, req: ClaimRequest, ready: readonly string[]): Promise<TaskRun[]> {
  const readyIds = sql.join(ready.map((id) => sql`${id}`));
  const { rows } = await sql<Selectable<TaskRunsTable>>`
    with pool as (
      select id, available_at as at from task_runs
      where status = 'pending' and available_at is not null and available_at <= ${req.now}
      order by available_at, id limit ${req.limit} for update skip locked
    ), chosen as (
      select id from (
        select id, at from pool
        union all
        select id, cast(${req.now} as timestamptz) from task_runs where id in (${readyIds}) and status = 'pending'
      ) candidates order by at, id limit ${req.limit}
    ), left_ready as (
      update task_runs set available_at = ${req.now}, updated_at = ${req.now}
      where id in (${readyIds}) and status = 'pending' and id not in (select id from chosen)
    )
    update task_runs set status = 'running', lease_owner = ${req.owner}, lease_expires_at = ${req.leaseExpiresAt},
      heartbeat_at = ${req.now}, fence = fence + 1, started_at = ${req.now}, worker_id = ${req.owner}, updated_at = ${req.now},
      available_at = coalesce(available_at, ${req.now})
    where id in (select id from chosen)
    returning *`.execute(trx);
  return rows.map(toTaskRun).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * `claimWithReady` where the transaction is the only writer (SQLite): nothing can claim or plan
 * between its statements, so the choice is made here and the chosen runs are updated by id, without
 * walking the claimable index a second time.
 */
async function claimWithReadyAsOnlyWriter(trx: Transaction<Database>, req: ClaimRequest, ready: readonly string[]): Promise<TaskRun[]> {
  const { rows: pool } = await sql<{ id: string; at: string }>`
    select id, available_at as at from ${claimableRuns(trx)}
    where status = 'pending' and available_at is not null and available_at <= ${req.now}
    order by available_at, id limit ${req.limit}`.execute(trx);
  const chosen = [...pool, ...ready.map((id) => ({ id, at: req.now }))]
    .sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1))
    .slice(0, req.limit)
    .map((c) => c.id);
  const taken = new Set(chosen);
  await setClaimable(
    trx,
    ready.filter((id) => !taken.has(id)),
    req.now,
  );
  // A separate read rather than RETURNING, which costs SQLite more per row than reading the rows again.
  await sql`
    update task_runs set status = 'running', lease_owner = ${req.owner}, lease_expires_at = ${req.leaseExpiresAt},
      heartbeat_at = ${req.now}, fence = fence + 1, started_at = ${req.now}, worker_id = ${req.owner}, updated_at = ${req.now},
      available_at = coalesce(available_at, ${req.now})
    where id in (${sql.join(chosen.map((id) => sql`${id}`))}) and status = 'pending'`.execute(trx);
  const rows = await trx
    .selectFrom('task_runs')
    .selectAll()
    .where('id', 'in', chosen)
    .where('lease_owner', '=', req.owner)
    .where('status', '=', 'running')
    .orderBy('id')
    .execute();
  return rows.map(toTaskRun);
}

/**
 * Makes pending runs claimable from `at` on: in a transaction that holds its appends, with them just
 * before it commits (on PostgreSQL in the same statement); otherwise at once, in one statement.
 */
export async function markClaimable(db: Db, ids: readonly string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  const held = heldAppends(db);
  if (held) for (const id of ids) held.claimable.push({ id, at });
  else await setClaimable(db, ids, at);
}

/** The pending runs of `ids` become claimable from `at` on, in one statement. */
async function setClaimable(db: Db, ids: readonly string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('task_runs')
    .set({ available_at: at, updated_at: at })
    .where('id', 'in', [...ids])
    .where('status', '=', 'pending')
    .execute();
}

/** The held `markClaimable`s as one WITH (PostgreSQL), each run with its own instant. */
export function claimablePart(marks: ReadonlyArray<{ id: string; at: string }>): RawBuilder<unknown> {
  const values = sql.join(marks.map((m) => sql`(${m.id}, cast(${m.at} as timestamptz))`));
  return sql`claimable as (
    update task_runs set available_at = v.at, updated_at = v.at
    from (values ${values}) as v(id, at) where task_runs.id = v.id and task_runs.status = 'pending')`;
}

/** The held `markClaimable`s, one statement per instant (SQLite). */
export async function writeClaimable(db: Db, marks: ReadonlyArray<{ id: string; at: string }>): Promise<void> {
  const byInstant = new Map<string, string[]>();
  for (const m of marks) {
    const ids = byInstant.get(m.at);
    if (ids) ids.push(m.id);
    else byInstant.set(m.at, [m.id]);
  }
  for (const [at, ids] of byInstant) await setClaimable(db, ids, at);
}

export interface TaskRunEndReport {
  id: string;
  owner: string;
  fence: number;
  status: Extract<TaskRunStatus, 'succeeded' | 'failed' | 'cancelled' | 'timed_out'>;
  /** Masked. */
  input: unknown;
  /** Masked. */
  output: unknown;
  /** The output in clear, sealed, when masking changed it; null otherwise. */
  sealedOutput: string | null;
  error: TaskFailure | null;
  completedAt: string;
  durationMs: number | null;
}

/** Ends a claimed run, only while `owner` still holds it under `fence`; returns whether it did. */
export async function reportTaskRunEnd(db: Db, report: TaskRunEndReport): Promise<boolean> {
  const result = await db
    .updateTable('task_runs')
    .set({
      status: report.status,
      input: toNullableJson(report.input),
      output: toNullableJson(report.output),
      sealed_output: report.sealedOutput,
      error: toNullableJson(report.error),
      completed_at: report.completedAt,
      duration_ms: report.durationMs,
      lease_expires_at: null,
      updated_at: report.completedAt,
    })
    .where('id', '=', report.id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', report.owner)
    .where('fence', '=', report.fence)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records the rendered (masked) input of a claimed run while it runs, under the same fence check. */
export async function reportTaskRunInput(db: Db, run: { id: string; owner: string; fence: number }, input: unknown): Promise<void> {
  await db
    .updateTable('task_runs')
    .set({ input: toNullableJson(input) })
    .where('id', '=', run.id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', run.owner)
    .where('fence', '=', run.fence)
    .execute();
}

/** Extends the leases `owner` still holds among `ids`; returns the ids it still holds. */
export async function renewLeases(db: Db, owner: string, ids: readonly string[], now: string, until: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .updateTable('task_runs')
    .set({ lease_expires_at: until, heartbeat_at: now })
    .where('id', 'in', [...ids])
    .where('status', '=', 'running')
    .where('lease_owner', '=', owner)
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Running attempts whose lease has run out (their worker stopped heartbeating). */
export async function listExpiredLeases(db: Db, now: string, limit: number): Promise<Array<{ id: string; executionId: string }>> {
  const rows = await db
    .selectFrom('task_runs')
    .select(['id', 'execution_id'])
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, executionId: r.execution_id }));
}

/**
 * When the earliest claimable run became or becomes available (past: claimable now; future: a retry's
 * backoff), or null when no run waits to be claimed. A read, so a worker with nothing to do opens no
 * write transaction, and one query tells both whether to claim and how long to sleep.
 */
export async function earliestAvailableAt(db: Db): Promise<string | null> {
  const { rows } = await sql<{ at: string | null }>`
    select min(available_at) as at from ${claimableRuns(db)} where status = 'pending' and available_at is not null`.execute(db);
  return rows[0]?.at ?? null;
}

/** Of the runs given, those whose execution has a stop request, with it. */
export async function listStopRequestsOf(
  db: Db,
  runIds: readonly string[],
): Promise<Array<{ runId: string; kind: string; reason: string | null }>> {
  if (runIds.length === 0) return [];
  const rows = await db
    .selectFrom('task_runs')
    .innerJoin('executions', 'executions.id', 'task_runs.execution_id')
    .select(['task_runs.id as runId', 'executions.stop_kind as kind', 'executions.stop_reason as reason'])
    .where('task_runs.id', 'in', [...runIds])
    .where('executions.stop_requested_at', 'is not', null)
    // A timed-out execution still runs its on_failure tasks.
    .where((eb) => eb.not(eb.and([eb('task_runs.phase', '=', 'on_failure'), eb('executions.stop_kind', '=', 'timed_out')])))
    .execute();
  return rows.map((r) => ({ runId: r.runId, kind: r.kind ?? 'cancelled', reason: r.reason }));
}

/** The runs `owner` holds a lease on now: after a claim whose commit was lost, the ones it did not learn of. */
export async function listRunsLeasedTo(db: Db, owner: string): Promise<TaskRun[]> {
  const rows = await db.selectFrom('task_runs').selectAll().where('status', '=', 'running').where('lease_owner', '=', owner).execute();
  return rows.map(toTaskRun);
}
