import path from 'node:path';
import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import type { DialectCapabilities } from './capabilities.ts';
import { postgresCapabilities, sqliteCapabilities } from './capabilities.ts';
import type { Database } from './database-schema.ts';
import { StaticMigrationProvider } from './migrations/index.ts';
import { openPostgres } from './postgres-dialect.ts';
import { openSqlite } from './sqlite-dialect.ts';
import { channelName, listen, type Listener } from './store-notifications.ts';
import { storeFailure, WriteHealth } from './store-failure.ts';

/** An open store: the query builder, what its dialect can do, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly caps: DialectCapabilities;
  /** Where the data lives, for messages (`sqlite:/path/to/file`, `postgres://host/db`). */
  readonly location: string;
  /** Whether writes are failing now, and why (kept by the write paths, read by `/readyz`). */
  readonly health: WriteHealth;
  /** The PostgreSQL schema, when one was chosen. */
  readonly schema?: string | undefined;
  /** Gives pages freed by deletes back to the file system (SQLite); PostgreSQL's autovacuum does its own. */
  reclaimSpace(): Promise<void>;
  /**
   * Hears the notifications other processes send on `topic` (where `caps.listenNotify`); undefined
   * where the store has no such thing, and followers poll instead.
   */
  listen?(topic: string, onPayload: (payload: string) => void, onError?: (e: Error) => void): Promise<Listener>;
  /** The channel a writer notifies on for `topic` (where `caps.listenNotify`). */
  channel(topic: string): string;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; absent, the embedded SQLite file in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  schema?: string | undefined;
  /**
   * PostgreSQL: a session left idle inside a transaction this long is ended by the server. A process
   * stopped mid-transaction (SIGSTOP, a VM paused, a debugger) would otherwise keep its row locks, and
   * every other node that plans the same executions, sweeps their leases or group-commits beside them
   * would wait on it for as long as it stays stopped.
   */
  idleTransactionTimeoutMs?: number | undefined;
}

/**
 * A node's `idleTransactionTimeoutMs`: the lease duration, and never under ten seconds. A transaction
 * here holds no lock while it waits on anything but the store, so one idle that long belongs to a
 * process that has stopped, and whose leases are expiring anyway.
 */
export function idleTransactionTimeoutFor(leaseMs: number): number {
  return Math.max(leaseMs, 10_000);
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'runledger.db');
}

export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    const health = new WriteHealth();
    const { db } = openPostgres(options.databaseUrl, {
      searchPath: options.schema,
      ...(options.idleTransactionTimeoutMs ? { idleTransactionTimeoutMs: options.idleTransactionTimeoutMs } : {}),
      // A connection PostgreSQL closed while idle in the pool (a restart, pg_terminate_backend) is
      // dropped by the pool and replaced at the next query; it must not take the process down.
      onIdleError: (e) =>
        console.error(
          `runledger: a store connection was closed by the server (${storeFailure(e)?.cause ?? 'CONNECTION_LOST'}): ${e.message}; it is replaced at the next query`,
        ),
    });
    const url = new URL(options.databaseUrl);
    return {
      db,
      health,
      caps: postgresCapabilities,
      location: `postgres://${url.host}${url.pathname}`,
      schema: options.schema,
      reclaimSpace: () => Promise.resolve(),
      listen: (topic, onPayload, onError) => listen(options.databaseUrl!, channelName(topic, options.schema), onPayload, onError),
      channel: (topic) => channelName(topic, options.schema),
      // Kysely's PostgresDialect ends the pool on destroy.
      close: () => db.destroy(),
    };
  }
  const file = sqliteFile(options.dataDir);
  const { db, raw } = openSqlite(file);
  return {
    db,
    health: new WriteHealth(),
    caps: sqliteCapabilities,
    location: `sqlite:${file}`,
    // better-sqlite3's pragma() steps the statement to the end; one step would free one page only.
    reclaimSpace: () => Promise.resolve(void raw.pragma('incremental_vacuum')),
    channel: (topic) => channelName(topic, undefined),
    close: () => db.destroy(),
  };
}

function migrator(store: Store): Migrator {
  return new Migrator({
    db: store.db,
    provider: new StaticMigrationProvider(store.caps),
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Migrations are independent of one another: one numbered below a store's newest still applies.
    allowUnorderedMigrations: true,
    // Kysely looks for its tables by name in every schema unless told which: with several schemas in
    // one database (tests, several installations) it would find another schema's and skip creating its own.
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
  });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) throw result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error));
  return (result.results ?? []).map((r) => `${r.direction === 'Up' ? 'applied' : 'rolled back'} ${r.migrationName}`);
}

/** Applies every pending migration; returns one line per migration applied. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  return check(await migrator(store).migrateToLatest());
}

/** Rolls back every migration after `name` (or applies up to it); returns one line per migration. */
export async function migrateTo(store: Store, name: string): Promise<string[]> {
  return check(await migrator(store).migrateTo(name));
}

/** Rolls back the newest applied migration. */
export async function rollbackOne(store: Store): Promise<string[]> {
  return check(await migrator(store).migrateDown());
}
