/**
 * Bulk writing for the query benchmark's store: many rows per statement in large transactions,
 * with the dialect's own driver (better-sqlite3, pg) rather than the query builder, so 5 million
 * rows take a minute or two instead of an hour. Implementations: `query-bulk-sqlite.ts`,
 * `query-bulk-postgres.ts`.
 */

/** A table as the bulk writer sees it: column names, each with its PostgreSQL type for `unnest`. */
export interface BulkTable {
  name: string;
  columns: readonly (readonly [name: string, pgType: string])[];
}

export interface BulkWriter {
  /** Appends rows (values in `table.columns` order) in the open transaction. */
  insert(table: BulkTable, rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Commits what was inserted since the last commit and opens the next transaction. */
  commit(): Promise<void>;
  /** Commits and closes the connection. */
  close(): Promise<void>;
}

/** The columns the benchmark fills; the others keep their defaults (null, 0, 'private'). */
export const BULK_TABLES = {
  executions: {
    name: 'executions',
    columns: [
      ['id', 'text'],
      ['workflow_id', 'text'],
      ['workflow_version', 'integer'],
      ['status', 'text'],
      ['trigger', 'text'],
      ['triggered_by', 'text'],
      ['title', 'text'],
      ['inputs', 'jsonb'],
      ['context', 'jsonb'],
      ['error', 'jsonb'],
      ['log_entry_count', 'integer'],
      ['worker_id', 'text'],
      ['created_at', 'timestamptz'],
      ['started_at', 'timestamptz'],
      ['completed_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
    ],
  },
  executionInputs: {
    name: 'execution_inputs',
    columns: [
      ['execution_id', 'text'],
      ['key', 'text'],
      ['value', 'text'],
    ],
  },
  taskRuns: {
    name: 'task_runs',
    columns: [
      ['id', 'text'],
      ['execution_id', 'text'],
      ['task_id', 'text'],
      ['type', 'text'],
      ['attempt', 'integer'],
      ['status', 'text'],
      ['input', 'jsonb'],
      ['output', 'jsonb'],
      ['error', 'jsonb'],
      ['worker_id', 'text'],
      ['created_at', 'timestamptz'],
      ['started_at', 'timestamptz'],
      ['completed_at', 'timestamptz'],
      ['duration_ms', 'integer'],
      ['updated_at', 'timestamptz'],
    ],
  },
  executionLogs: {
    name: 'execution_logs',
    columns: [
      ['execution_id', 'text'],
      ['seq', 'integer'],
      ['task_run_id', 'text'],
      ['ts', 'timestamptz'],
      ['level', 'text'],
      ['source', 'text'],
      ['message', 'text'],
    ],
  },
} as const satisfies Record<string, BulkTable>;
