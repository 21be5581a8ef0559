/**
 * Read paths on a store of realistic size, against hand-written SQL doing the same work on the
 * same connection in the same run: a page of an execution's log lines filtered by level, one
 * execution with 500 task runs through the whole API, a history search by input value through the
 * whole API; and how long a flushed line takes to reach a follower over SSE.
 *
 *   npx tsx bench/query.ts
 *
 * Environment: BENCH_EXECUTIONS (100000), BENCH_LOG_LINES (5000000), BENCH_DIALECTS
 * (sqlite,postgres), BENCH_SAMPLES (200). Prints a table per dialect and one summary line each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { ensureLogPartitions } from '../src/store/log-partition-repository.ts';
import { migrateToLatest, openStore, sqliteFile, type Store } from '../src/store/store.ts';
import { seedWorkflow } from '../test/support/seed.ts';
import type { BulkWriter } from './query-bulk.ts';
import { openPostgresBulkWriter } from './query-bulk-postgres.ts';
import { openSqliteBulkWriter } from './query-bulk-sqlite.ts';
import { planDataset } from './query-dataset.ts';
import { measureFigures } from './query-figures.ts';
import { generateStore } from './query-generate.ts';
import { formatTable, type Figure } from './query-measure.ts';
import { buildStack } from './query-stack.ts';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 5_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim());
const PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY_MS = 86_400_000;
const WORKFLOWS = 4;

/** A fresh, empty store of one dialect with what the benchmark needs around it. */
interface BenchStore {
  store: Store;
  dataDir: string;
  bulk(): Promise<BulkWriter>;
  /**
   * Fresh planner statistics after the bulk load; on PostgreSQL also the visibility map autovacuum
   * would have set on a store that grew over 60 days, and a checkpoint.
   */
  analyze(): Promise<void>;
  dispose(): Promise<void>;
}

function openSqliteBench(): BenchStore {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-query-'));
  const store = openStore({ dataDir });
  return {
    store,
    dataDir,
    bulk: async () => openSqliteBulkWriter(sqliteFile(dataDir)),
    analyze: async () => void (await sql`analyze`.execute(store.db)),
    dispose: async () => {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPostgresBench(): Promise<BenchStore> {
  const schema = `bench_query_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-query-'));
  const store = openStore({ dataDir, databaseUrl: PG_URL, schema });
  return {
    store,
    dataDir,
    bulk: () => openPostgresBulkWriter(PG_URL, schema),
    analyze: async () => {
      // named tables only: other schemas in the same database are not ours to vacuum
      await sql`vacuum (analyze) executions, execution_inputs, task_runs, execution_logs, users, workflows, workflow_versions`.execute(
        store.db,
      );
      // write the loaded pages out now, not in a spread checkpoint while we measure (needs superuser)
      await sql`checkpoint`.execute(store.db).catch((e: unknown) => {
        console.log(`query [postgres]: no CHECKPOINT after the load (${e instanceof Error ? e.message : String(e)})`);
      });
    },
    dispose: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

async function bench(dialect: string, b: BenchStore): Promise<void> {
  const { store } = b;
  await migrateToLatest(store);
  const stack = await buildStack(store, b.dataDir);
  try {
    const workflowIds: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) workflowIds.push(await seedWorkflow(store.db));
    const now = Date.now();
    // a server running for 60 days has made each day's log partition ahead of it
    if (store.caps.partitions) await ensureLogPartitions(store.db, now - 61 * DAY_MS, 63);
    const started = performance.now();
    const plan = planDataset({ executions: EXECUTIONS, logLines: LOG_LINES, workflowIds, now });
    const counts = await generateStore(await b.bulk(), plan, stack.adminId);
    const generated = seconds(started);
    const analyzing = performance.now();
    await b.analyze();
    console.log(
      `query [${dialect}] store: ${Object.entries(counts)
        .map(([table, n]) => `${n} ${table}`)
        .join(', ')}; generated in ${generated} s, ANALYZE ${seconds(analyzing)} s`,
    );
    const figures = await measureFigures(store, stack, plan, SAMPLES);
    console.log(formatTable(dialect, figures));
    console.log(summary(dialect, figures));
  } finally {
    await stack.close();
  }
}

function summary(dialect: string, figures: readonly Figure[]): string {
  const parts = figures.map((f) => {
    return f.raw
      ? `${f.label} ours ${f.ours.p50.toFixed(2)}/${f.ours.p95.toFixed(2)} ms, raw ${f.raw.p50.toFixed(2)}/${f.raw.p95.toFixed(2)} ms, ratio ${(f.ours.p50 / f.raw.p50).toFixed(2)}/${(f.ours.p95 / f.raw.p95).toFixed(2)}`
      : `${f.label} ${f.ours.p50.toFixed(2)}/${f.ours.p95.toFixed(2)} ms`;
  });
  return `query [${dialect}] summary (${EXECUTIONS} executions, ${LOG_LINES} log lines, p50/p95 over ${SAMPLES} samples): ${parts.join('; ')}`;
}

for (const dialect of DIALECTS) {
  let b: BenchStore;
  try {
    if (dialect === 'sqlite') b = openSqliteBench();
    else if (dialect === 'postgres') b = await openPostgresBench();
    else throw new Error(`unknown dialect "${dialect}" in BENCH_DIALECTS`);
  } catch (e) {
    console.log(`query [${dialect}]: skipped (${e instanceof Error ? e.message : String(e)})`);
    continue;
  }
  try {
    await bench(dialect, b);
  } finally {
    await b.dispose();
  }
}
