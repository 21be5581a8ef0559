import { formatBytes } from '../domain/byte-size.ts';
import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { Database } from '../store/database-schema.ts';
import { tableBytes } from '../store/retention-repository.ts';

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
