/**
 * The write path's group commit against one transaction per state change, on the same store in the
 * same process. Each "change" is what the engine commits for a task run state change: the
 * compare-and-set update of the task run, its transition row and its audit event.
 *
 *   npx tsx bench/group-commit.ts [changes] [concurrency]
 *
 * Prints `name: ours X, baseline Y, ratio Z` per dialect (PostgreSQL when reachable).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { newId } from '../src/domain/ids.ts';
import { workerActor } from '../src/observe/audit-logger.ts';
import { StateWriter, type StateChange } from '../src/engine/state-writer.ts';
import { createPendingTaskRuns, transitionTaskRun } from '../src/engine/task-run-transition.ts';
import type { TaskRun } from '../src/domain/records.ts';
import { bindAuditKey } from '../src/observe/audit-authentication.ts';
import { AuditSigner } from '../src/observe/audit-signer.ts';
import { migrateToLatest, openStore, type Store } from '../src/store/store.ts';
import { seedExecution, seedWorkflow } from '../test/support/seed.ts';

const CHANGES = Number(process.argv[2] ?? 4000);
const CONCURRENCY = Number(process.argv[3] ?? 64);
const PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function seed(store: Store, n: number): Promise<TaskRun[]> {
  const now = new Date().toISOString();
  const wf = await seedWorkflow(store.db);
  const runs: TaskRun[] = [];
  await store.db.transaction().execute(async (trx) => {
    for (let e = 0; e < n / 10; e++) {
      const executionId = await seedExecution(trx, wf);
      const created = await createPendingTaskRuns(
        trx,
        Array.from({ length: 10 }, (_, i) => ({
          id: newId(),
          executionId,
          taskId: `t${i}`,
          type: 'shell' as const,
          attempt: 1,
          status: 'pending' as const,
          createdAt: now,
        })),
        {},
        workerActor('bench'),
      );
      runs.push(...created);
    }
  });
  return runs;
}

function change(run: TaskRun): StateChange<TaskRun> {
  const now = new Date().toISOString();
  return (trx) =>
    transitionTaskRun(trx, {
      run,
      to: 'running',
      changes: { startedAt: now, workerId: 'bench' },
      metadata: { workerId: 'bench', correlationId: run.executionId },
      actor: workerActor('bench'),
      now,
    });
}

/** Runs `CHANGES` changes with `CONCURRENCY` in flight at a time; returns changes per second. */
async function measure(runs: TaskRun[], commit: (c: StateChange<TaskRun>) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < runs.length) await commit(change(runs[next++]!));
    }),
  );
  return runs.length / ((performance.now() - started) / 1000);
}

async function bench(name: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>): Promise<void> {
  const { store: raw, cleanup } = await open();
  try {
    await migrateToLatest(raw);
    // Audit events are authenticated: the store carries a key, as a server's does.
    const store = await bindAuditKey(raw, AuditSigner.load(fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-key-')), undefined));
    const baselineRuns = await seed(store, CHANGES);
    const oursRuns = await seed(store, CHANGES);
    const baseline = await measure(baselineRuns, (c) =>
      store.db.transaction().execute((trx) => c(trx, { beforeCommit: () => undefined, afterCommit: (fn) => fn() })),
    );
    const writer = new StateWriter(store.db, { maxInFlight: store.caps.concurrentWriters ? 4 : 1 });
    const ours = await measure(oursRuns, (c) => writer.submit(c));
    const perCommit = writer.stats.changes / writer.stats.commits;
    console.log(
      `group commit [${name}] (${CHANGES} changes, ${CONCURRENCY} in flight): ours ${ours.toFixed(0)}/s, baseline ${baseline.toFixed(0)}/s (one transaction per change), ratio ${(ours / baseline).toFixed(2)}; ${perCommit.toFixed(1)} changes per commit`,
    );
  } finally {
    await raw.close();
    await cleanup();
  }
}

await bench('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-'));
  return { store: openStore({ dataDir: dir }), cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
try {
  await probe.connect();
  const schema = `bench_${process.pid}`;
  await probe.query(`create schema ${schema}`);
  await bench('postgres', async () => ({
    store: openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema }),
    cleanup: async () => {
      await probe.query(`drop schema ${schema} cascade`);
    },
  }));
} catch (e) {
  console.log(`group commit [postgres]: skipped (${e instanceof Error ? e.message : String(e)})`);
} finally {
  await probe.end().catch(() => undefined);
}
