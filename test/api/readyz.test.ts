import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../src/store/migrations/index.ts';
import { migrationStatus } from '../../src/store/migration-status.ts';
import { migrateTo, migrateToLatest, openStore } from '../../src/store/store.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect, tempDir, TEST_PG_URL } from '../support/stores.ts';

describeEachDialect('GET /readyz and the schema', (dialect) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  const readiness = () => h!.api<Record<string, unknown>>('GET', '/readyz', undefined, null);
  const migrationsTable = () => sql.table(h!.store.schema ? `${h!.store.schema}.schema_migrations` : 'schema_migrations');

  it('is ready only while the store has exactly the migrations of this build', async () => {
    h = await createHarness(dialect, { worker: false });
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready', store: dialect } });

    // A store an older build left behind: the newest migration is not applied.
    const newest = MIGRATION_NAMES.at(-1)!;
    await migrateTo(h.store, MIGRATION_NAMES.at(-2)!);
    const pending = await readiness();
    expect(pending.status).toBe(503);
    expect(pending.body).toEqual({
      status: 'unavailable',
      store: dialect,
      cause: 'MIGRATIONS_PENDING',
      detail: `the store lacks 1 migration(s) of this build (${newest}): run "runledger db migrate"`,
    });
    await migrateToLatest(h.store);
    expect((await readiness()).status).toBe(200);

    // A store a newer build has migrated: this build must not serve it.
    await sql`insert into ${migrationsTable()} (name, timestamp) values ('9999-from-a-newer-build', ${new Date().toISOString()})`.execute(
      h.store.db,
    );
    const unknown = await readiness();
    expect(unknown.status).toBe(503);
    expect(unknown.body).toEqual({
      status: 'unavailable',
      store: dialect,
      cause: 'MIGRATIONS_UNKNOWN',
      detail:
        'the store has migrations this build does not know (9999-from-a-newer-build): it was migrated by a newer version; run that version',
    });
    await sql`delete from ${migrationsTable()} where name = '9999-from-a-newer-build'`.execute(h.store.db);
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('counts every migration as pending in a store never migrated', async () => {
    // A schema no one created (PostgreSQL) or a new file (SQLite): no schema_migrations table at all.
    const store =
      dialect === 'postgres'
        ? openStore({ databaseUrl: TEST_PG_URL, dataDir: tempDir(), schema: 'never_migrated_schema' })
        : openStore({ dataDir: tempDir() });
    try {
      expect(await migrationStatus(store)).toEqual({ pending: MIGRATION_NAMES, unknown: [] });
    } finally {
      await store.close();
    }
  });
});
