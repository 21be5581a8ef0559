import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database-schema.ts';

/**
 * Opens the embedded store. WAL lets readers work beside the writer; `synchronous=FULL` makes an
 * acknowledged commit (an audit row, a terminal state) survive power loss; `busy_timeout` lets a
 * second process (the CLI's `db migrate`) wait for the lock instead of failing.
 */
export function openSqlite(file: string): { db: Kysely<Database>; raw: SqliteDatabase.Database } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, raw };
}
