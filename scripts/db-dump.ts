/**
 * Writes the schema each dialect ends up with after a fresh migrate to src/store/schema/.
 *   npm run db:dump
 * PostgreSQL comes from RUNLEDGER_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dumpSchema } from '../src/store/schema-dump.ts';
import { migrateToLatest, openStore } from '../src/store/store.ts';

const out = path.resolve('src/store/schema');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-dump-'));
const sqlite = openStore({ dataDir: dir });
await migrateToLatest(sqlite);
fs.writeFileSync(path.join(out, 'sqlite.sql'), await dumpSchema(sqlite));
await sqlite.close();
fs.rmSync(dir, { recursive: true, force: true });

const url = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `dump_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
try {
  const store = openStore({ dataDir: os.tmpdir(), databaseUrl: url, schema });
  await migrateToLatest(store);
  fs.writeFileSync(path.join(out, 'postgres.sql'), await dumpSchema(store));
  await store.close();
} finally {
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
console.log(`wrote ${path.join(out, 'sqlite.sql')} and ${path.join(out, 'postgres.sql')}`);
