import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Flow control: for-each items, on-failure tasks and sub-workflows.
 *
 * task_runs: `phase` (`main`, or `on_failure` for the tasks that run after the execution failed),
 * `item_index` and `item` (one run per item of a `for_each` task; the item masked; both null on the
 * task's own run, which groups its items), `child_execution_id` (a `workflow` task's child).
 *
 * executions: `parent_execution_id` and `parent_task_run_id`, the execution and the `workflow` task
 * run that started this one (its trigger is `workflow`).
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema
    .alterTable('task_runs')
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('main'))
    .execute();
  await db.schema.alterTable('task_runs').addColumn('item_index', 'integer').execute();
  await db.schema.alterTable('task_runs').addColumn('item', 'text').execute();
  await db.schema.alterTable('task_runs').addColumn('child_execution_id', 'text').execute();
  // One attempt number per task, and per item of a for_each task.
  await replaceAttemptConstraint(db, caps);
  await db.schema.alterTable('executions').addColumn('parent_execution_id', 'text').execute();
  await db.schema.alterTable('executions').addColumn('parent_task_run_id', 'text').execute();
  // A parent's children: the cancel cascade and the sweeper look them up.
  await db.schema
    .createIndex('executions_parent_idx')
    .on('executions')
    .column('parent_execution_id')
    .where(sql.ref('parent_execution_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  await db.schema.dropIndex('executions_parent_idx').execute();
  await sql`delete from task_runs where item_index is not null`.execute(db);
  await db.schema.dropIndex('task_runs_attempt_uq').execute();
  if (caps.dropConstraint) {
    await sql`alter table task_runs add constraint task_runs_attempt_uq unique (execution_id, task_id, attempt)`.execute(db);
  } else {
    await db.schema.createIndex('task_runs_attempt_uq').unique().on('task_runs').columns(['execution_id', 'task_id', 'attempt']).execute();
  }
  for (const column of ['parent_task_run_id', 'parent_execution_id']) {
    await db.schema.alterTable('executions').dropColumn(column).execute();
  }
  for (const column of ['child_execution_id', 'item', 'item_index', 'phase']) {
    await db.schema.alterTable('task_runs').dropColumn(column).execute();
  }
}

const ATTEMPT_INDEX = sql`create unique index task_runs_attempt_uq on task_runs (execution_id, task_id, coalesce(item_index, -1), attempt)`;

/**
 * The constraint `unique (execution_id, task_id, attempt)` of 0001 becomes a unique index that counts
 * the item too. SQLite cannot drop a table constraint: the table is rebuilt the way its documentation
 * prescribes (foreign keys off, copy, drop, rename, indexes back, check), outside any transaction —
 * SQLite migrations do not run in one.
 */
async function replaceAttemptConstraint(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (caps.dropConstraint) {
    await sql`alter table task_runs drop constraint task_runs_attempt_uq`.execute(db);
    await ATTEMPT_INDEX.execute(db);
    return;
  }
  const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = 'task_runs'`.execute(db);
  const table = rows.find((r) => r.type === 'table')?.sql;
  const constraint = /,\s*constraint\s+"task_runs_attempt_uq"\s+unique\s*\([^)]*\)/i;
  if (!table) throw new Error('task_runs is missing');
  if (!constraint.test(table)) {
    // Rolled back before (`down` leaves a unique index, not the table constraint).
    await sql`drop index if exists task_runs_attempt_uq`.execute(db);
    await ATTEMPT_INDEX.execute(db);
    return;
  }
  const rebuilt = table.replace(constraint, '').replace(/^CREATE TABLE "task_runs"/i, 'CREATE TABLE "task_runs_rebuilt"');
  const indexes = rows.filter((r) => r.type !== 'table' && r.sql !== null).map((r) => r.sql!);
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql.raw(rebuilt).execute(db);
    await sql`insert into task_runs_rebuilt select * from task_runs`.execute(db);
    await sql`drop table task_runs`.execute(db);
    await sql`alter table task_runs_rebuilt rename to task_runs`.execute(db);
    for (const index of indexes) await sql.raw(index).execute(db);
    await ATTEMPT_INDEX.execute(db);
    const { rows: broken } = await sql`pragma foreign_key_check`.execute(db);
    if (broken.length > 0) throw new Error(`foreign keys broken by the rebuild of task_runs: ${JSON.stringify(broken.slice(0, 3))}`);
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
