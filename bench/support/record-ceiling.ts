/**
 * The store's ceiling for Runledger's record: how many one-task executions a second the store takes
 * when it is handed nothing but the finished rows of each execution's record (the execution, its
 * task run, state transitions, log lines, audit events, audit chain head; the step-result audit row
 * is written by the store's own trigger on the final transition), inserted with multi-row statements in transactions of BENCH_CEILING_BATCH (500) executions. No HTTP, no engine,
 * no hashing, no state changes between: an upper bound on what any engine over this record could reach
 * on this machine, beside which the engine's figures read as a share of what is possible.
 *
 * The rows are the real thing: a Runledger server of this checkout runs BENCH_CEILING_TEMPLATES (20)
 * one-task executions on a fresh store and is stopped; their rows are then copied, with new ids,
 * into that same store (its schema, indexes, foreign keys and settings: `synchronous=FULL` on SQLite).
 */
import SqliteDatabase from 'better-sqlite3';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { newId } from '../../src/domain/ids.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { deploy, oneTask, ROOT, waitForCompleted, type StoreKind } from './runledger-deployment.ts';

const BATCH = Number(process.env.BENCH_CEILING_BATCH ?? 500);
const TEMPLATES = Number(process.env.BENCH_CEILING_TEMPLATES ?? 20);
/** PostgreSQL takes transactions from several connections at once; SQLite has one writer. */
const PG_CONNECTIONS = Number(process.env.BENCH_CEILING_CONNECTIONS ?? 4);

export interface CeilingFigures {
  executionsPerSecond: number;
  rowsPerExecution: number;
  rowsPerSecond: number;
  /** Rows of one execution by table. */
  rows: Record<string, number>;
}

type Row = Record<string, unknown>;
/** One execution's record: its rows by table, in an order that satisfies the foreign keys. */
type ExecutionRecord = [table: string, rows: Row[]][];

/** Tables written first: every other table of the record points at these. */
const FIRST = ['executions', 'task_runs'];
/** Written by the store itself, from a trigger on the insert of a task run's final transition. */
const WRITTEN_BY_TRIGGER = 'step_result_audit';
const FINAL_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** A store to read the record from and write its copies to. */
interface Store {
  tables(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  select(sql: string, params: unknown[]): Promise<Row[]>;
  /** Runs the inserts in one transaction. */
  insertAll(inserts: [table: string, rows: Row[]][]): Promise<void>;
  close(): Promise<void>;
}

function sqliteStore(file: string): Store {
  const db = new SqliteDatabase(file);
  // As the server opens it (src/store/sqlite-dialect.ts): every commit waits for the disk.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepared = (sql: string) => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql)!;
  return {
    tables: async () => (db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((r) => r.name),
    columns: async (table) => (db.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name),
    select: async (sql, params) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as Row[],
    async insertAll(inserts) {
      db.transaction(() => {
        for (const [table, rows] of inserts) {
          for (const part of parts(rows, 32_000)) {
            const columns = Object.keys(part[0]!);
            const values = part.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
            prepared(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`).run(
              ...part.flatMap((r) => columns.map((c) => r[c])),
            );
          }
        }
      })();
    },
    close: async () => void db.close(),
  };
}

/** A row as a line of COPY's text format. */
const copyLine = (row: Row, columns: string[]) =>
  `${columns
    .map((c) => {
      const value = row[c];
      if (value === null || value === undefined) return '\\N';
      // Every value was read as text (the pool's type parser).
      return (value as string).replace(/[\\\n\r\t]/g, (ch) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[ch]!);
    })
    .join('\t')}\n`;

/** With `copy`, each table's rows go in by COPY (PostgreSQL's fastest way in); else by multi-row inserts, as the engine writes. */
function postgresStore(url: string, copy: boolean): Store {
  // Every value as PostgreSQL's text: written back as it was read, whatever the column's type.
  const pool = new pg.Pool({ connectionString: url, max: PG_CONNECTIONS, types: { getTypeParser: () => (value: string) => value } });
  return {
    // Partitions (of the log table) are read and written through their parent.
    tables: async () =>
      (
        await pool.query<{ name: string }>(
          `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`,
        )
      ).rows.map((r) => r.name),
    columns: async (table) =>
      (
        await pool.query<{ name: string }>(
          `select column_name as name from information_schema.columns where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER'`,
          [table],
        )
      ).rows.map((r) => r.name),
    select: async (sql, params) => (await pool.query(sql, params)).rows as Row[],
    async insertAll(inserts) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const [table, rows] of inserts) {
          if (copy) {
            const columns = Object.keys(rows[0]!);
            const into = client.query(copyFrom(`copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`));
            await pipeline(Readable.from(rows.map((r) => copyLine(r, columns))), into);
            continue;
          }
          for (const part of parts(rows, 60_000)) {
            const columns = Object.keys(part[0]!);
            let n = 0;
            const values = part.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ');
            await client.query(
              `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`,
              part.flatMap((r) => columns.map((c) => r[c])),
            );
          }
        }
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `rows` in parts of at most `parameters` values each. */
function parts(rows: Row[], parameters: number): Row[][] {
  const perPart = Math.max(1, Math.floor(parameters / Object.keys(rows[0]!).length));
  const out: Row[][] = [];
  for (let i = 0; i < rows.length; i += perPart) out.push(rows.slice(i, i + perPart));
  return out;
}

/** The record of each of `executionIds`, as the store holds it. */
async function readRecords(store: Store, executionIds: string[]): Promise<ExecutionRecord[]> {
  const byExecution = new Map<string, Map<string, Row[]>>(executionIds.map((id) => [id, new Map()]));
  const placeholders = executionIds.map((_, i) => `$${i + 1}`).join(', ');
  for (const table of await store.tables()) {
    if (table === WRITTEN_BY_TRIGGER) continue;
    const columns = await store.columns(table);
    const key =
      table === 'executions'
        ? 'id'
        : columns.includes('execution_id')
          ? 'execution_id'
          : table === 'audit_chain_heads'
            ? 'subject_id'
            : undefined;
    if (!key) continue;
    for (const row of await store.select(`select * from "${table}" where "${key}" in (${placeholders})`, executionIds)) {
      const tables = byExecution.get(String(row[key]))!;
      const rows = tables.get(table);
      if (rows) rows.push(row);
      else tables.set(table, [row]);
    }
  }
  const rank = (table: string) => (FIRST.includes(table) ? FIRST.indexOf(table) : table === 'audit_chain_heads' ? 99 : FIRST.length);
  return [...byExecution.values()].map((tables) => [...tables].sort(([a], [b]) => rank(a) - rank(b)));
}

/** A copy of `record` under new ids: every value equal to one of its rows' ids is replaced. */
function copyOf(record: ExecutionRecord): ExecutionRecord {
  const ids = new Map<unknown, string>();
  for (const [, rows] of record) for (const row of rows) if (typeof row.id === 'string') ids.set(row.id, newId());
  return record.map(([table, rows]) => [
    table,
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, ids.get(value) ?? value]))),
  ]);
}

/** One transaction's inserts for `records`: the rows of each table together. */
function batchInserts(records: ExecutionRecord[]): [string, Row[]][] {
  const byTable = new Map<string, Row[]>();
  for (const record of records) {
    for (const [table, rows] of record) {
      const all = byTable.get(table);
      if (all) all.push(...rows);
      else byTable.set(table, [...rows]);
    }
  }
  return [...byTable];
}

/** With `copy` (PostgreSQL only), the rows go in by COPY rather than by multi-row inserts. */
export async function recordCeiling(kind: StoreKind, executions: number, { copy = false } = {}): Promise<CeilingFigures> {
  const d = await deploy(ROOT, kind, 0);
  try {
    const client = new RunledgerClient({ server: d.url, token: d.token });
    await client.applyWorkflow(JSON.stringify(oneTask), 'json');
    const started = await client.runWorkflowMany(
      'one',
      Array.from({ length: TEMPLATES }, () => ({ inputs: {} })),
    );
    await waitForCompleted(d, 'one', TEMPLATES);
    await d.halt();

    const store = kind === 'sqlite' ? sqliteStore(d.store) : postgresStore(d.store, copy);
    try {
      const templates = await readRecords(
        store,
        started.map((s) => s.executionId),
      );
      const rows: Record<string, number> = Object.fromEntries(templates[0]!.map(([table, r]) => [table, r.length]));
      const transitions = templates[0]!.find(([table]) => table === 'task_run_transitions')?.[1] ?? [];
      rows[WRITTEN_BY_TRIGGER] = transitions.filter((t) => FINAL_STATES.includes(String(t.to_state))).length;
      const rowsPerExecution = Object.values(rows).reduce((a, b) => a + b, 0);
      // The copies are made before the clock starts: only the store's work is timed.
      const batches = Array.from({ length: Math.ceil(executions / BATCH) }, (_, b) =>
        batchInserts(
          Array.from({ length: Math.min(BATCH, executions - b * BATCH) }, (_, i) => copyOf(templates[(b * BATCH + i) % templates.length]!)),
        ),
      );
      const begun = performance.now();
      await Promise.all(
        Array.from({ length: kind === 'postgres' ? PG_CONNECTIONS : 1 }, async () => {
          for (let batch = batches.shift(); batch; batch = batches.shift()) await store.insertAll(batch);
        }),
      );
      const executionsPerSecond = executions / ((performance.now() - begun) / 1000);
      return { executionsPerSecond, rowsPerExecution, rowsPerSecond: executionsPerSecond * rowsPerExecution, rows };
    } finally {
      await store.close();
    }
  } finally {
    await d.stop();
  }
}
