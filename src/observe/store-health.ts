import { formatBytes } from '../domain/byte-size.ts';
import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { Database } from '../store/database-schema.ts';
import { tableBytes } from '../store/retention-repository.ts';
import { migrationStatus } from '../store/migration-status.ts';
import type { Store } from '../store/store.ts';

/** The tables that grow with every run, whose size an operator should hear about before the disk fills. */
const WATCHED_TABLES = ['execution_logs', 'audit_events'] as const;

export interface TableSizeWarning {
  table: (typeof WATCHED_TABLES)[number];
  bytes: number;
  thresholdBytes: number;
  message: string;
}

/**
 * Sizes of the watched tables against the threshold: one warning per table past it. Reads sizes only
 * (no row count), so it stays cheap however large the tables are.
 */
export async function checkTableSizes(
  db: Kysely<Database>,
  caps: DialectCapabilities,
  thresholdBytes: number,
): Promise<TableSizeWarning[]> {
  const warnings: TableSizeWarning[] = [];
  for (const table of WATCHED_TABLES) {
    const bytes = await tableBytes(db, caps, table);
    if (bytes === null || bytes <= thresholdBytes) continue;
    warnings.push({
      table,
      bytes,
      thresholdBytes,
      message:
        `WARN ${table} takes ${formatBytes(bytes)} (over ${formatBytes(thresholdBytes)}): lower the retention ` +
        `(RUNLEDGER_LOG_RETENTION_DAYS, RUNLEDGER_AUDIT_RETENTION_DAYS) or run "runledger logs cleanup"; see docs/operations.md`,
    });
  }
  return warnings;
}

/** Why the store's schema is not the one this build runs on, for `/readyz`. */
export interface SchemaMismatch {
  cause: 'MIGRATIONS_PENDING' | 'MIGRATIONS_UNKNOWN';
  detail: string;
}

/**
 * Null when the store has exactly the migrations this build knows. Otherwise the reason: migrations
 * not applied yet (the server was started against a store another build left behind), or migrations
 * this build does not know (a newer build migrated the store: this one must not write to it).
 */
export async function checkSchema(store: Pick<Store, 'db' | 'schema'>): Promise<SchemaMismatch | null> {
  const { pending, unknown } = await migrationStatus(store);
  if (unknown.length > 0)
    return {
      cause: 'MIGRATIONS_UNKNOWN',
      detail: `the store has migrations this build does not know (${unknown.join(', ')}): it was migrated by a newer version; run that version`,
    };
  if (pending.length > 0)
    return {
      cause: 'MIGRATIONS_PENDING',
      detail: `the store lacks ${pending.length} migration(s) of this build (${pending.join(', ')}): run "runledger db migrate"`,
    };
  return null;
}
