import { sql } from 'kysely';
import { MIGRATION_NAMES } from './migrations/index.ts';
import type { Store } from './store.ts';

/** How the store's schema compares with the migrations this build knows. */
export interface MigrationStatus {
  /** Migrations this build has that the store has not applied (run `runledger db migrate`). */
  pending: string[];
  /** Migrations the store has applied that this build does not know: a newer build migrated it. */
  unknown: string[];
}

/** Reads the applied migrations (a handful of rows); a store never migrated has every migration pending. */
export async function migrationStatus(store: Pick<Store, 'db' | 'schema'>): Promise<MigrationStatus> {
  const table = sql.table(store.schema ? `${store.schema}.schema_migrations` : 'schema_migrations');
  let applied: string[];
  try {
    applied = (await sql<{ name: string }>`select name from ${table}`.execute(store.db)).rows.map((r) => r.name);
  } catch (e: unknown) {
    // The table is made by the first migration run: without it, nothing is applied. Any other failure
    // (the store went away between two queries) is the caller's to report.
    if (
      !/(no such table|does not exist).*schema_migrations|schema_migrations.*does not exist/i.test(
        e instanceof Error ? e.message : String(e),
      )
    )
      throw e;
    applied = [];
  }
  const known = new Set(MIGRATION_NAMES);
  const done = new Set(applied);
  return {
    pending: MIGRATION_NAMES.filter((name) => !done.has(name)),
    unknown: applied.filter((name) => !known.has(name)).sort(),
  };
}
