import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database-schema.ts';
import { hasRetainedExecution, type RetentionCriteria } from './retention-repository.ts';

/**
 * The day partitions of `execution_logs` (where `caps.partitions`; migration 0008 explains the
 * layout): partition `execution_logs_pYYYYMMDD` holds the lines of executions whose UUIDv7 id was
 * made on that UTC day, `execution_logs_default` everything else.
 */

const DAY_MS = 86_400_000;
const DAY_PARTITION = /^execution_logs_p(\d{4})(\d{2})(\d{2})$/;
/**
 * Creating, detaching and dropping a partition lock the whole table, and every writer queues behind
 * a waiting lock: give up quickly instead, and try again at the next cleanup.
 */
const LOCK_TIMEOUT = '2s';
const SQLSTATE = {
  /** The default partition already holds lines of that day. */
  checkViolation: '23514',
  lockNotAvailable: '55P03',
} as const;

export interface LogPartition {
  name: string;
  /** UTC day (YYYY-MM-DD) of a day partition; null for the default partition. */
  day: string | null;
  /**
   * Rows as of the last ANALYZE (pg_class.reltuples), null before the first: an estimate, because a
   * listing must not scan a day of lines; the rows a drop removes are counted exactly.
   */
  rows: number | null;
}

/** The smallest UUIDv7 of a millisecond: ids made at or after `ms` sort at or after it. */
function uuidv7Floor(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The partition of the UTC day starting at `dayStart` (ms): its name and id range [from, to). */
function dayPartition(dayStart: number): { name: string; from: string; to: string } {
  const date = new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `execution_logs_p${date}`, from: uuidv7Floor(dayStart), to: uuidv7Floor(dayStart + DAY_MS) };
}

function dayStartOf(name: string): number | null {
  const m = DAY_PARTITION.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

function sqlState(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

async function withLockTimeout<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * Makes sure the partitions of today .. today + daysAhead (UTC) exist, so new lines land in their
 * day's partition rather than the default one. Idempotent, and safe when several servers run it
 * at once (they take turns on an advisory lock of this schema). A day whose lines already sit in
 * the default partition cannot get a partition (PostgreSQL refuses), nor one whose lock is busy:
 * such days are skipped and reported, their lines stay where they are and are deleted row by row.
 */
export async function ensureLogPartitions(
  db: Kysely<Database>,
  now: Date | number,
  daysAhead = 2,
): Promise<{ created: string[]; skipped: string[] }> {
  const today = Math.floor(new Date(now).getTime() / DAY_MS) * DAY_MS;
  const created: string[] = [];
  const skipped: string[] = [];
  for (let i = 0; i <= daysAhead; i++) {
    const p = dayPartition(today + i * DAY_MS);
    try {
      const made = await withLockTimeout(db, async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.execution_logs partitions'))`.execute(trx);
        const { rows } = await sql<{ found: boolean }>`select to_regclass(${p.name}) is not null as found`.execute(trx);
        if (rows[0]?.found) return false;
        await sql`create table if not exists ${sql.id(p.name)} partition of execution_logs
                  for values from (${sql.lit(p.from)}) to (${sql.lit(p.to)})`.execute(trx);
        return true;
      });
      if (made) created.push(p.name);
    } catch (e: unknown) {
      const state = sqlState(e);
      if (state !== SQLSTATE.checkViolation && state !== SQLSTATE.lockNotAvailable) throw e;
      skipped.push(p.name);
    }
  }
  return { created, skipped };
}

/** Every partition of `execution_logs`, day partitions by day, the default one last. */
export async function listLogPartitions(db: Kysely<Database>): Promise<LogPartition[]> {
  const { rows } = await sql<{ name: string; reltuples: number }>`
    select c.relname as name, c.reltuples from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'execution_logs'::regclass`.execute(db);
  return rows
    .map((r) => {
      const start = dayStartOf(r.name);
      return {
        name: r.name,
        day: start === null ? null : new Date(start).toISOString().slice(0, 10),
        rows: r.reltuples < 0 ? null : Number(r.reltuples),
      };
    })
    .sort((a, b) => (a.day ?? '9999').localeCompare(b.day ?? '9999') || a.name.localeCompare(b.name));
}

/**
 * Day partitions cleanup may drop whole: the day ended before the cutoff (no execution can still be
 * created in it) and no execution of that day must keep its lines (see `hasRetainedExecution`), so
 * dropping removes exactly the lines the row-delete path would delete. One primary-key range read
 * of executions per old day.
 */
export async function droppableLogPartitions(db: Kysely<Database>, c: RetentionCriteria): Promise<LogPartition[]> {
  const cutoff = Date.parse(c.endedBefore);
  const out: LogPartition[] = [];
  for (const p of await listLogPartitions(db)) {
    const start = dayStartOf(p.name);
    if (start === null || start + DAY_MS > cutoff) continue;
    const { from, to } = dayPartition(start);
    if (!(await hasRetainedExecution(db, c, from, to))) out.push(p);
  }
  return out;
}

/**
 * Detaches and drops one day partition in one transaction; returns how many lines went (counted
 * after the detach, when nothing can add to it), or null when its lock was busy: the partition
 * stays and the row-delete path takes its lines. Lines of that day written afterwards would land in
 * the default partition.
 */
export async function dropLogPartition(db: Kysely<Database>, name: string): Promise<number | null> {
  // The name goes into DDL as an identifier: only day partitions, never the default or the parent.
  if (!DAY_PARTITION.test(name)) throw new RangeError(`not a log day partition: ${name}`);
  try {
    return await withLockTimeout(db, async (trx) => {
      await sql`alter table execution_logs detach partition ${sql.id(name)}`.execute(trx);
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(name)}`.execute(trx);
      await sql`drop table ${sql.id(name)}`.execute(trx);
      return Number(rows[0]?.n ?? 0);
    });
  } catch (e: unknown) {
    if (sqlState(e) === SQLSTATE.lockNotAvailable) return null;
    throw e;
  }
}
