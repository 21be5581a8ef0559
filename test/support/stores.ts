import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bindAuditKey } from '../../src/observe/audit-authentication.ts';
import { AuditSigner } from '../../src/observe/audit-signer.ts';
import pg from 'pg';
import { describe } from 'vitest';
import { migrateToLatest, openStore, type Store } from '../../src/store/store.ts';

export const TEST_PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgRequired = process.env.RUNLEDGER_TEST_PG === 'required';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the PostgreSQL half runs; prints why not, and fails when CI requires it. */
export const postgresUnavailable: string | null = await probePostgres();
if (postgresUnavailable) {
  if (pgRequired) throw new Error(`RUNLEDGER_TEST_PG=required but PostgreSQL at ${TEST_PG_URL} is unreachable: ${postgresUnavailable}`);
  console.warn(`PostgreSQL tests skipped: ${TEST_PG_URL} unreachable (${postgresUnavailable})`);
}

export type DialectName = 'sqlite' | 'postgres';
export const DIALECTS: DialectName[] = postgresUnavailable ? ['sqlite'] : ['sqlite', 'postgres'];

export function tempDir(prefix = 'runledger-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestStore {
  store: Store;
  dataDir: string;
  /** For PostgreSQL: the connection string and schema that reach the same data from another process. */
  databaseUrl?: string;
  schema?: string;
  dispose(): Promise<void>;
}

/**
 * Kysely's migrator reads the catalog of every schema; another test process dropping its own schema
 * at that moment makes the read fail with "schema … does not exist" (3F000). Nothing was changed, so
 * it simply runs again.
 */
async function migrateBesideOthers(store: Store): Promise<void> {
  await besideOtherSchemas(() => migrateToLatest(store));
}

/** Runs a migrator call, again when another process's schema vanished under its catalog read (see above). */
export async function besideOtherSchemas<T>(migrate: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate();
    } catch (e) {
      if ((e as { code?: string }).code !== '3F000' || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** A fresh, migrated store: a new SQLite file, or a new PostgreSQL schema dropped afterwards. */
export async function createTestStore(dialect: DialectName): Promise<TestStore> {
  const dataDir = tempDir();
  if (dialect === 'sqlite') {
    const opened = openStore({ dataDir });
    await migrateToLatest(opened);
    const store = await bindAuditKey(opened, AuditSigner.load(dataDir, undefined));
    return {
      store,
      dataDir,
      dispose: async () => {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const opened = openStore({ dataDir, databaseUrl: TEST_PG_URL, schema });
  await migrateBesideOthers(opened);
  const store = await bindAuditKey(opened, AuditSigner.load(dataDir, undefined));
  return {
    store,
    dataDir,
    databaseUrl: TEST_PG_URL,
    schema,
    dispose: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a suite once per available dialect (both in CI). */
export function describeEachDialect(name: string, fn: (dialect: DialectName) => void): void {
  for (const dialect of DIALECTS) describe(`${name} [${dialect}]`, () => fn(dialect));
}
