/**
 * Log ingest: 100,000 lines through the LogCollector into SQLite and PostgreSQL, against a raw
 * batched insert of the same rows with the same driver in the same run. Also one task-run state
 * change through the full write path (update + transition + audit event + step-result trigger)
 * against a bare row insert.
 *
 *   npx tsx bench/log-ingest.ts [lines] [executions]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Insertable, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { ExecutionLogsTable } from '../src/store/database-schema.ts';
import { newId } from '../src/domain/ids.ts';
import { workerActor } from '../src/observe/audit-logger.ts';
import { LogCollector } from '../src/observe/log-collector.ts';
import { createPendingTaskRuns, transitionTaskRun } from '../src/engine/task-run-transition.ts';
import { bindAuditKey } from '../src/observe/audit-authentication.ts';
import { AuditSigner } from '../src/observe/audit-signer.ts';
import { migrateToLatest, openStore, type Store } from '../src/store/store.ts';
import { seedExecution, seedWorkflow } from '../test/support/seed.ts';

const LINES = Number(process.argv[2] ?? 100_000);
const EXECUTIONS = Number(process.argv[3] ?? 20);
const PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function seedExecutions(store: Store, n: number): Promise<string[]> {
  const wf = await seedWorkflow(store.db);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await seedExecution(store.db, wf));
  return ids;
}

const message = (i: number) => `line ${i}: compiling module ${i % 97} of the build, everything nominal so far`;

async function bench(name: string, raw: Store): Promise<void> {
  await migrateToLatest(raw);
  // Audit events are authenticated: the store carries a key, as a server's does.
  const store = await bindAuditKey(raw, AuditSigner.load(fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-key-')), undefined));
  // baseline: the same rows, batched by 100, one insert per batch in one transaction, same driver
  const baseIds = await seedExecutions(store, EXECUTIONS);
  const t0 = performance.now();
  for (let start = 0; start < LINES; start += 100) {
    const rows: Insertable<ExecutionLogsTable>[] = [];
    for (let i = start; i < Math.min(start + 100, LINES); i++) {
      rows.push({
        execution_id: baseIds[i % EXECUTIONS]!,
        seq: Math.floor(i / EXECUTIONS) + 1,
        task_run_id: null,
        ts: new Date().toISOString(),
        level: 'INFO',
        source: 'bench',
        message: message(i),
        metadata: null,
      });
    }
    await store.db.transaction().execute((trx) => trx.insertInto('execution_logs').values(rows).execute());
  }
  const baseline = LINES / ((performance.now() - t0) / 1000);

  const ids = await seedExecutions(store, EXECUTIONS);
  const collector = new LogCollector(store.db, store.caps);
  const t1 = performance.now();
  for (let i = 0; i < LINES; i++) {
    collector.append({ executionId: ids[i % EXECUTIONS]!, taskRunId: null, level: 'INFO', source: 'bench', message: message(i) });
    // let the event loop run the writes now and then, as a real process does between output chunks
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  await collector.flush();
  const ours = LINES / ((performance.now() - t1) / 1000);
  console.log(
    `log ingest [${name}] (${LINES} lines, ${EXECUTIONS} executions interleaved): ours ${ours.toFixed(0)} lines/s, baseline ${baseline.toFixed(0)} lines/s (raw batched insert), ratio ${(ours / baseline).toFixed(2)}`,
  );

  // one task run's full write path against a bare row insert
  const [executionId] = await seedExecutions(store, 1);
  const N = 500;
  const t2 = performance.now();
  for (let i = 0; i < N; i++) {
    await store.db.transaction().execute((trx) =>
      trx
        .insertInto('execution_logs')
        .values({
          execution_id: executionId!,
          seq: i + 1,
          task_run_id: null,
          ts: new Date().toISOString(),
          level: 'INFO',
          source: 'bench',
          message: 'x',
          metadata: null,
        })
        .execute(),
    );
  }
  const bare = (performance.now() - t2) / N;
  const actor = workerActor('bench');
  const t3 = performance.now();
  for (let i = 0; i < N; i++) {
    await store.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const [run] = await createPendingTaskRuns(
        trx,
        [{ id: newId(), executionId: executionId!, taskId: `t${i}`, type: 'shell', attempt: 1, status: 'pending', createdAt: now }],
        {},
        actor,
      );
      const running = await transitionTaskRun(trx, { run: run!, to: 'running', changes: { startedAt: now }, metadata: {}, actor, now });
      await transitionTaskRun(trx, {
        run: running,
        to: 'succeeded',
        changes: { output: { ok: true }, completedAt: now, durationMs: 1 },
        metadata: { result: { ok: true }, success: true, executionTimeMs: 1, workerId: 'bench' },
        actor,
        now,
      });
    });
  }
  const full = (performance.now() - t3) / N;
  console.log(
    `task-run write path [${name}] (create + start + succeed, with transitions, audit events and the step-result trigger, one transaction): ours ${full.toFixed(2)} ms, baseline ${bare.toFixed(2)} ms (bare row insert in its own transaction), ratio ${(full / bare).toFixed(2)}`,
  );
}

/**
 * What each secondary index on log lines costs: the same interleaved rows into a table keyed by
 * (execution_id, seq) alone (the baseline), with our task-run index, and with the two timestamp
 * indexes of the original specification ((execution_id, ts) and (task_run_id, ts)).
 */
async function indexCost(name: string, store: Store): Promise<void> {
  const variants: [string, string[]][] = [
    ['primary key only', []],
    [
      '+ (task_run_id, seq) where task_run_id is not null',
      ['create index {t}_task on {t} (task_run_id, seq) where task_run_id is not null'],
    ],
    [
      '+ (execution_id, ts) + (task_run_id, ts)',
      ['create index {t}_ets on {t} (execution_id, ts)', 'create index {t}_tts on {t} (task_run_id, ts)'],
    ],
  ];
  const executions = Array.from({ length: EXECUTIONS }, () => newId());
  const taskRuns = executions.map(() => Array.from({ length: 5 }, () => newId()));
  const results: number[] = [];
  for (const [i, [label, indexes]] of variants.entries()) {
    const table = `bench_index_cost_${i}`;
    await sql`drop table if exists ${sql.table(table)}`.execute(store.db);
    await sql`create table ${sql.table(table)} (execution_id text not null, seq integer not null, task_run_id text, ts text not null, level text not null, source text not null, message text not null, primary key (execution_id, seq))`.execute(
      store.db,
    );
    for (const ddl of indexes) await sql.raw(ddl.replaceAll('{t}', table)).execute(store.db);
    const started = performance.now();
    for (let start = 0; start < LINES; start += 100) {
      const rows: RawBuilder<unknown>[] = [];
      for (let n = start; n < Math.min(start + 100, LINES); n++) {
        const e = n % EXECUTIONS;
        rows.push(
          sql`(${executions[e]!}, ${Math.floor(n / EXECUTIONS) + 1}, ${taskRuns[e]![Math.floor(n / EXECUTIONS / 1000) % 5]!}, ${new Date().toISOString()}, 'INFO', 'bench', ${message(n)})`,
        );
      }
      await store.db.transaction().execute((trx) => sql`insert into ${sql.table(table)} values ${sql.join(rows)}`.execute(trx));
    }
    const rate = LINES / ((performance.now() - started) / 1000);
    results.push(rate);
    console.log(
      `log index cost [${name}] ${label}: ours ${rate.toFixed(0)} rows/s, baseline ${results[0]!.toFixed(0)} rows/s (primary key only), ratio ${(rate / results[0]!).toFixed(2)}`,
    );
    await sql`drop table ${sql.table(table)}`.execute(store.db);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-'));
const sqlite = openStore({ dataDir: dir });
try {
  await bench('sqlite', sqlite);
  await indexCost('sqlite', sqlite);
} finally {
  await sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
try {
  await admin.connect();
  const schema = `bench_logs_${process.pid}`;
  await admin.query(`create schema ${schema}`);
  const store = openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema });
  try {
    await bench('postgres', store);
    await indexCost('postgres', store);
  } finally {
    await store.close();
    await admin.query(`drop schema ${schema} cascade`);
  }
} catch (e) {
  console.log(`log ingest [postgres]: skipped (${e instanceof Error ? e.message : String(e)})`);
} finally {
  await admin.end().catch(() => undefined);
}
