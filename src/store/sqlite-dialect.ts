import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database-schema.ts';
import { ensurePrivateFile, restrictFilesToOwner } from './private-files.ts';
import { StorableTextPlugin } from './storable-text.ts';

/**
 * Opens the embedded store. WAL lets readers work beside the writer; `synchronous=FULL` makes an
 * acknowledged commit (an audit row, a terminal state) survive power loss; a short `busy_timeout`
 * lets a second process (the CLI's `db migrate`) wait a moment for the lock.
 * Verified at start: WAL is required (readers beside the writer), so anything else fails loudly.
 */
export function openSqlite(file: string): { db: Kysely<Database>; raw: SqliteDatabase.Database } {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // Created 0600 before SQLite opens it, so its -wal and -shm are 0600 too (SQLite copies the mode);
    // an older store's files lose their group and other permissions.
    ensurePrivateFile(file);
    restrictFilesToOwner(path.dirname(path.resolve(file)));
  }
  const raw = new SqliteDatabase(file);
  // Space freed by retention goes back to the file system (`PRAGMA incremental_vacuum` after a
  // cleanup). The mode only takes effect on an empty database, so it is set before anything else.
  raw.pragma('auto_vacuum = INCREMENTAL');
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  // Short: better-sqlite3 waits synchronously, blocking the event loop; the write path retries a busy
  // store asynchronously instead (state-writer.ts).
  raw.pragma('busy_timeout = 250');
  raw.pragma('foreign_keys = ON');
  const mode = raw.pragma('journal_mode', { simple: true }) as string;
  if (file !== ':memory:' && mode !== 'wal')
    throw new Error(`SQLite at ${file} is in journal mode "${mode}", not WAL (is it on a network file system?)`);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(raw) }),
    plugins: [new StorableTextPlugin()],
  });
  return { db, raw };
}

/** A statement that changes nothing (see `prepare`). */
const NO_OP = { reader: false, busy: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) };

/** Statements prepared once and reused; the engine's queries are few and repeat at every state change. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 compiles a statement at every `prepare`, and Kysely prepares at every query: a cache
 * of prepared statements by SQL text saves that work on the hot path (a statement is reusable once it
 * has run; one still iterating a stream is busy and is not handed out twice).
 */
function withStatementCache(raw: SqliteDatabase.Database): { close(): void; prepare(sql: string): SqliteDatabase.Statement } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare(sql: string) {
      // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); the
      // ROLLBACK that follows must then do nothing, so that the error reported is the one that happened.
      if (sql === 'rollback' && !raw.inTransaction) return NO_OP as unknown as SqliteDatabase.Statement;
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        // Most recently used last: the oldest is the first to go when the cache is full.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = raw.prepare(sql);
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
