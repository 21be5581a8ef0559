/**
 * What a dialect can do, named once. Code asks `caps.skipLocked`, never `dialect === 'postgres'`.
 */
export interface DialectCapabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** `SELECT … FOR UPDATE SKIP LOCKED` for claiming work across processes. */
  readonly skipLocked: boolean;
  /**
   * `SELECT … FOR UPDATE`: a transaction locks the rows it is about to decide on. SQLite needs none:
   * one process, one writer at a time.
   */
  readonly rowLocks: boolean;
  /** LISTEN/NOTIFY to wake followers and workers. */
  readonly listenNotify: boolean;
  /** Concurrent writers in separate transactions (SQLite has one writer at a time). */
  readonly concurrentWriters: boolean;
  /** Column type used for JSON documents. */
  readonly jsonType: 'text' | 'jsonb';
  /** Column type used for timestamps. */
  readonly timestampType: 'text' | 'timestamptz';
  /**
   * Declarative table partitioning: `execution_logs` is partitioned by day of execution id, so
   * retention drops a whole day instead of deleting its rows.
   */
  readonly partitions: boolean;
  /** `ALTER TABLE … DROP CONSTRAINT`; without it (SQLite) a table is rebuilt to change its constraints. */
  readonly dropConstraint: boolean;
}

export const sqliteCapabilities: DialectCapabilities = {
  dialect: 'sqlite',
  skipLocked: false,
  rowLocks: false,
  listenNotify: false,
  concurrentWriters: false,
  jsonType: 'text',
  timestampType: 'text',
  partitions: false,
  dropConstraint: false,
};

export const postgresCapabilities: DialectCapabilities = {
  dialect: 'postgres',
  skipLocked: true,
  rowLocks: true,
  listenNotify: true,
  concurrentWriters: true,
  jsonType: 'jsonb',
  timestampType: 'timestamptz',
  partitions: true,
  dropConstraint: true,
};
