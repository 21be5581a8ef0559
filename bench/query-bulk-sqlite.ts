import SqliteDatabase from 'better-sqlite3';
import type { BulkTable, BulkWriter } from './query-bulk.ts';

/** Rows per INSERT: a few hundred, within SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 500;

/**
 * A second connection to the store's file (WAL lets the store's own stay open beside it), with
 * `synchronous = OFF`: generated rows need no durability, and the store's connection keeps FULL.
 */
export function openSqliteBulkWriter(file: string): BulkWriter {
  const raw = new SqliteDatabase(file);
  raw.pragma('synchronous = OFF');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const statements = new Map<string, SqliteDatabase.Statement>();

  function statement(table: BulkTable, rows: number): SqliteDatabase.Statement {
    const key = `${table.name}/${rows}`;
    let s = statements.get(key);
    if (!s) {
      const tuple = `(${table.columns.map(() => '?').join(', ')})`;
      const columns = table.columns.map(([name]) => `"${name}"`).join(', ');
      s = raw.prepare(`insert into "${table.name}" (${columns}) values ${Array.from({ length: rows }, () => tuple).join(', ')}`);
      statements.set(key, s);
    }
    return s;
  }

  raw.exec('begin');
  return {
    insert: async (table, rows) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        statement(table, chunk.length).run(chunk.flat());
      }
    },
    commit: async () => {
      raw.exec('commit');
      raw.exec('begin');
    },
    close: async () => {
      raw.exec('commit');
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
    },
  };
}
