import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

/**
 * Where capabilities allow (PostgreSQL), `execution_logs` becomes a table partitioned BY RANGE of
 * execution_id, one partition per UTC day, so retention drops a day's lines whole instead of
 * deleting them row by row. Execution ids are UUIDv7: their first 48 bits are the creation time in
 * ms, so every execution created on day D has an id in [floor(D), floor(D + 1)), where floor(t) is
 * `xxxxxxxx-xxxx-0000-0000-000000000000` with t in hex. The key (execution_id, seq) contains the
 * partition key, so it stays the primary key, and every query by execution reads one partition.
 * `execution_logs_default` takes the rest: ids that are not UUIDv7, and days without a partition.
 *
 * The partition key keeps the column's (database default) collation: PostgreSQL only prunes when
 * the key's collation is the query's, and the retention check reads the executions primary key in
 * that same collation. UUID text sorts the same in C and linguistic collations (fixed layout,
 * lowercase hex); test/store/log-partitions.test.ts checks the day boundaries.
 *
 * Self-contained on purpose (no import of the repository's helpers): a released migration must do
 * the same thing forever.
 */
export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (!caps.partitions) return;
  await renameLogTable(db, 'execution_logs', 'execution_logs_unpartitioned');
  await createLogTable(db, caps, 'execution_logs', true);
  await sql`create table execution_logs_default partition of execution_logs default`.execute(db);
  const { rows } = await sql<{ day: string }>`
    select distinct (('x' || substr(id, 1, 8) || substr(id, 10, 4))::bit(48)::bigint / ${DAY_MS}) as day
    from executions where id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7'`.execute(db);
  const today = Math.floor(Date.now() / DAY_MS);
  const days = new Set([...rows.map((r) => Number(r.day)), today, today + 1, today + 2]);
  for (const day of [...days].sort((a, b) => a - b)) {
    const { name, from, to } = dayPartition(day);
    await sql`create table ${sql.id(name)} partition of execution_logs
              for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(db);
  }
  await copyRows(db, 'execution_logs_unpartitioned', 'execution_logs');
  await sql`drop table execution_logs_unpartitioned`.execute(db);
}

/** Back to one plain table with every line; dropping the partitioned table drops its partitions. */
export async function down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  if (!caps.partitions) return;
  await renameLogTable(db, 'execution_logs', 'execution_logs_partitioned');
  await createLogTable(db, caps, 'execution_logs', false);
  await copyRows(db, 'execution_logs_partitioned', 'execution_logs');
  await sql`drop table execution_logs_partitioned`.execute(db);
}

const DAY_MS = 86_400_000;
const COLUMNS = sql.join(['execution_id', 'seq', 'task_run_id', 'ts', 'level', 'source', 'message', 'metadata'].map((c) => sql.ref(c)));

function uuidv7Floor(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

function dayPartition(day: number): { name: string; from: string; to: string } {
  const date = new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `execution_logs_p${date}`, from: uuidv7Floor(day * DAY_MS), to: uuidv7Floor((day + 1) * DAY_MS) };
}

/** Moves the table and its constraint and index names aside, so the new table can take them. */
async function renameLogTable(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  await sql`alter table ${sql.id(from)} rename to ${sql.id(to)}`.execute(db);
  await sql`alter table ${sql.id(to)} rename constraint execution_logs_pk to ${sql.id(`${to}_pk`)}`.execute(db);
  await sql`alter table ${sql.id(to)} rename constraint execution_logs_execution_id_fkey to ${sql.id(`${to}_execution_id_fkey`)}`.execute(
    db,
  );
  await sql`alter index execution_logs_task_run_idx rename to ${sql.id(`${to}_task_run_idx`)}`.execute(db);
}

/** The table of 0002 and the index of 0006, under their original names, partitioned or not. */
async function createLogTable(db: Kysely<unknown>, caps: DialectCapabilities, name: string, partitioned: boolean): Promise<void> {
  let table = db.schema
    .createTable(name)
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('task_run_id', 'text')
    .addColumn('ts', sql.raw(caps.timestampType), (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('metadata', sql.raw(caps.jsonType))
    .addPrimaryKeyConstraint('execution_logs_pk', ['execution_id', 'seq'])
    .addForeignKeyConstraint('execution_logs_execution_id_fkey', ['execution_id'], 'executions', ['id'], (c) => c.onDelete('cascade'));
  if (partitioned) table = table.modifyEnd(sql`partition by range (execution_id)`);
  await table.execute();
  await db.schema
    .createIndex('execution_logs_task_run_idx')
    .on(name)
    .columns(['task_run_id', 'seq'])
    .where(sql.ref('task_run_id'), 'is not', null)
    .execute();
}

async function copyRows(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  await sql`insert into ${sql.id(to)} (${COLUMNS}) select ${COLUMNS} from ${sql.id(from)}`.execute(db);
}
