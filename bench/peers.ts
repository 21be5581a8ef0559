/**
 * Runledger beside the job queues people would pick instead, in one invocation on this machine's
 * services (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379):
 *   - graphile-worker, pg-boss and BullMQ: BENCH_PEER_JOBS (5000) no-op jobs, enqueued in bulk, then
 *     processed at concurrency 10; completed jobs per second from the worker's start to the last
 *     completion. Each peer gets a new PostgreSQL database (or Redis key prefix), removed afterwards;
 *   - Runledger: BENCH_N (1000) one-task (`log`) executions triggered through the public HTTP API
 *     with the typed client, one request per execution with 20 in flight, and again as a bulk
 *     trigger (`POST /v1/workflows/:id/runs`, BENCH_BULK_SIZE (100) input sets a request, 4 in
 *     flight); executions per second from the first request to the last completion, on SQLite (one
 *     node) and on PostgreSQL (an API node and 1 or 3 `runledger worker` processes);
 *   - the store alone (bench/support/record-ceiling.ts): BENCH_CEILING_EXECUTIONS (10000) copies of the
 *     finished rows of a one-task execution's record inserted straight into SQLite, and into
 *     PostgreSQL by multi-row inserts and by COPY; the most any engine over this record could reach;
 *   - per Runledger deployment, the wall time of 40 sequential light tasks (median of
 *     BENCH_CHAIN_RUNS (3)) and the trigger-to-start latency of one execution (request sent → its
 *     task started, p50 of BENCH_LATENCY_RUNS (11), one at a time).
 *
 *   npx tsx bench/peers.ts                        (BENCH_CASES=bullmq,sqlite to run only the cases
 *                                                  whose names contain one of these words)
 *
 * Prints a table and the ratios of the issue's targets; writes bench/results/peers.json.
 */
import { Queue, Worker } from 'bullmq';
import { Logger, makeWorkerUtils, run as runGraphileWorker } from 'graphile-worker';
import { Redis } from 'ioredis';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { RunledgerClient } from '../src/client/runledger-client.ts';
import {
  chain,
  chainSeconds,
  deploy,
  freshDatabase,
  median,
  oneTask,
  ROOT,
  selectedCases,
  waitForCompleted,
  type StoreKind,
} from './support/runledger-deployment.ts';
import { recordCeiling, type CeilingFigures } from './support/record-ceiling.ts';

const N = Number(process.env.BENCH_N ?? 1000);
const PEER_JOBS = Number(process.env.BENCH_PEER_JOBS ?? 5000);
const CHAIN_RUNS = Number(process.env.BENCH_CHAIN_RUNS ?? 3);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 11);
const BULK_SIZE = Number(process.env.BENCH_BULK_SIZE ?? 100);
const CEILING_EXECUTIONS = Number(process.env.BENCH_CEILING_EXECUTIONS ?? 10_000);
const PEER_CONCURRENCY = 10;
const IN_FLIGHT = 20;
const BULK_IN_FLIGHT = 4;
const WARM_UP = 10;
const REDIS = { host: '127.0.0.1', port: 6379 };

interface PeerFigures {
  jobsPerSecond: number;
  enqueueSeconds: number;
}

interface RunledgerFigures {
  perRequest: number;
  bulk: number;
  chainSeconds: number[];
  triggerToStartMs: number[];
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** graphile-worker with its defaults (the "default" of its own benchmarks): concurrency 10, no job batching. */
async function graphileWorker(): Promise<PeerFigures> {
  const db = await freshDatabase('rl_peer_gw');
  // Silent: its default logger prints a line per job, which would measure the terminal.
  const logger = new Logger(() => () => {});
  // Our pool (of its default size, 10), so that every connection is closed before the database is dropped.
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  try {
    await utils.migrate();
    const enqueued = performance.now();
    await utils.addJobs(Array.from({ length: PEER_JOBS }, () => ({ identifier: 'noop', payload: {} })));
    const enqueueSeconds = seconds(enqueued);
    let done = 0;
    const started = performance.now();
    const runner = await runGraphileWorker({
      pgPool: pool,
      concurrency: PEER_CONCURRENCY,
      noHandleSignals: true,
      logger,
      taskList: { noop: async () => {} },
    });
    runner.events.on('job:success', () => (done += 1));
    await until(async () => done >= PEER_JOBS, 'graphile-worker');
    // Its last completions commit just after the events: wait for the table to be empty.
    await until(
      async () =>
        (await utils.withPgClient((c) => c.query<{ n: number }>('select count(*)::int as n from graphile_worker._private_jobs'))).rows[0]!
          .n === 0,
      'graphile-worker completions',
    );
    const jobsPerSecond = PEER_JOBS / seconds(started);
    await runner.stop();
    return { jobsPerSecond, enqueueSeconds };
  } finally {
    await utils.release();
    await pool.end();
    await db.drop();
  }
}

/**
 * pg-boss 10: 10 workers (`work` ten times) fetching batches of 100, polling every 0.5 s. Its defaults
 * (a batch of 1, a 2 s pause after every fetch) would process 5 jobs/s with 10 workers; these are the
 * settings its documentation gives for throughput.
 */
async function pgBoss(): Promise<PeerFigures> {
  const db = await freshDatabase('rl_peer_boss');
  const boss = new PgBoss({ connectionString: db.url });
  boss.on('error', (e: Error) => console.error(`pg-boss: ${e.message}`));
  try {
    await boss.start();
    await boss.createQueue('noop');
    const enqueued = performance.now();
    await boss.insert(Array.from({ length: PEER_JOBS }, () => ({ name: 'noop', data: {} })));
    const enqueueSeconds = seconds(enqueued);
    const started = performance.now();
    for (let i = 0; i < PEER_CONCURRENCY; i++) {
      await boss.work('noop', { batchSize: 100, pollingIntervalSeconds: 0.5 }, async () => {});
    }
    await until(async () => (await boss.getQueueSize('noop', { before: 'completed' })) === 0, 'pg-boss');
    const jobsPerSecond = PEER_JOBS / seconds(started);
    return { jobsPerSecond, enqueueSeconds };
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await db.drop();
  }
}

/** BullMQ with its defaults and a worker of concurrency 10, under a key prefix of its own. */
async function bullMq(): Promise<PeerFigures> {
  const prefix = `rl-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const queue = new Queue('noop', { connection: REDIS, prefix });
  let worker: Worker | undefined;
  try {
    const enqueued = performance.now();
    await queue.addBulk(Array.from({ length: PEER_JOBS }, () => ({ name: 'noop', data: {} })));
    const enqueueSeconds = seconds(enqueued);
    let done = 0;
    const started = performance.now();
    worker = new Worker('noop', async () => {}, { connection: REDIS, prefix, concurrency: PEER_CONCURRENCY });
    worker.on('completed', () => (done += 1));
    await until(async () => done >= PEER_JOBS, 'BullMQ');
    const jobsPerSecond = PEER_JOBS / seconds(started);
    return { jobsPerSecond, enqueueSeconds };
  } finally {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    // Anything the queue left under the prefix (meta keys) goes too.
    const redis = new Redis(REDIS);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

/** Runs `total` triggers, `inFlight` at a time. */
async function inParallel(total: number, inFlight: number, trigger: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const i = next;
        next += 1;
        await trigger(i);
      }
    }),
  );
}

/** From the request leaving to the execution's task starting on a worker: one execution at a time. */
async function triggerToStart(client: RunledgerClient): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const sent = Date.now();
    const { executionId } = await client.runWorkflow('one', {});
    let startedAt: string | null = null;
    await until(async () => {
      startedAt = (await client.getExecution(executionId)).taskRuns[0]?.startedAt ?? null;
      return startedAt !== null;
    }, 'a task to start');
    samples.push(Date.parse(startedAt!) - sent);
    await client.waitForExecution(executionId, { pollMs: 10 });
  }
  return samples;
}

async function runledger(store: StoreKind, workers: number): Promise<RunledgerFigures> {
  const d = await deploy(ROOT, store, workers);
  try {
    // The typed client, as the CLI and scripts use it: one keep-alive connection per request in flight.
    const client = new RunledgerClient({ server: d.url, token: d.token });
    await client.applyWorkflow(JSON.stringify(oneTask), 'json');
    await client.applyWorkflow(JSON.stringify(chain), 'json');
    // Warm-up: the first requests pay for loading code paths.
    for (let i = 0; i < WARM_UP; i++) await client.runWorkflow('one', {});
    await waitForCompleted(d, 'one', WARM_UP);

    let started = performance.now();
    await inParallel(N, IN_FLIGHT, () => client.runWorkflow('one', {}));
    await waitForCompleted(d, 'one', WARM_UP + N);
    const perRequest = N / seconds(started);

    started = performance.now();
    const requests = Math.ceil(N / BULK_SIZE);
    await inParallel(requests, BULK_IN_FLIGHT, (i) =>
      client.runWorkflowMany(
        'one',
        Array.from({ length: Math.min(BULK_SIZE, N - i * BULK_SIZE) }, () => ({ inputs: {} })),
      ),
    );
    await waitForCompleted(d, 'one', WARM_UP + 2 * N);
    const bulk = N / seconds(started);

    const chain40 = await chainSeconds(d, CHAIN_RUNS);
    const latency = await triggerToStart(client);
    return { perRequest, bulk, chainSeconds: chain40, triggerToStartMs: latency };
  } finally {
    await d.stop();
  }
}

type Case =
  | { name: string; peer: () => Promise<PeerFigures> }
  | { name: string; store: StoreKind; workers: number }
  | { name: string; ceiling: () => Promise<CeilingFigures> };
const cases: Case[] = [
  { name: 'graphile-worker', peer: graphileWorker },
  { name: 'pg-boss', peer: pgBoss },
  { name: 'BullMQ', peer: bullMq },
  { name: 'Runledger SQLite, one node', store: 'sqlite', workers: 0 },
  { name: 'Runledger PostgreSQL, API node + 1 worker', store: 'postgres', workers: 1 },
  { name: 'Runledger PostgreSQL, API node + 3 workers', store: 'postgres', workers: 3 },
  { name: 'Store alone, SQLite', ceiling: () => recordCeiling('sqlite', CEILING_EXECUTIONS) },
  { name: 'Store alone, PostgreSQL, multi-row inserts', ceiling: () => recordCeiling('postgres', CEILING_EXECUTIONS) },
  { name: 'Store alone, PostgreSQL, COPY', ceiling: () => recordCeiling('postgres', CEILING_EXECUTIONS, { copy: true }) },
];

const peers: Record<string, PeerFigures> = {};
const ours: Record<string, RunledgerFigures> = {};
const ceilings: Record<string, CeilingFigures> = {};
for (const c of selectedCases(cases)) {
  process.stderr.write(`${c.name}…\n`);
  if ('peer' in c) peers[c.name] = await c.peer();
  else if ('ceiling' in c) ceilings[c.name] = await c.ceiling();
  else ours[c.name] = await runledger(c.store, c.workers);
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
const gw = peers['graphile-worker']?.jobsPerSecond;
const bull = peers.BullMQ?.jobsPerSecond;

const rows: string[][] = [['system', 'completed/s', '÷ graphile-worker', '÷ BullMQ']];
for (const [name, p] of Object.entries(peers)) {
  rows.push([
    `${name} (no-op job; enqueue ${fmt(p.enqueueSeconds, 2)} s)`,
    fmt(p.jobsPerSecond),
    fmt(ratio(p.jobsPerSecond, gw), 2),
    fmt(ratio(p.jobsPerSecond, bull), 2),
  ]);
}
for (const [name, f] of Object.entries(ours)) {
  for (const [how, rate] of [
    ['one request per execution', f.perRequest],
    ['bulk trigger', f.bulk],
  ] as const) {
    rows.push([`${name}, ${how}`, fmt(rate), fmt(ratio(rate, gw), 2), fmt(ratio(rate, bull), 2)]);
  }
}
for (const [name, c] of Object.entries(ceilings)) {
  rows.push([
    `${name} (${c.rowsPerExecution} rows an execution, ${fmt(c.rowsPerSecond)} rows/s)`,
    fmt(c.executionsPerSecond),
    fmt(ratio(c.executionsPerSecond, gw), 2),
    fmt(ratio(c.executionsPerSecond, bull), 2),
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\nOne-task executions (N=${N}) and no-op jobs (${PEER_JOBS}, concurrency ${PEER_CONCURRENCY}); ${os.cpus().length} cores\n`);
for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));

const sqlite = ours['Runledger SQLite, one node'];
const pg1 = ours['Runledger PostgreSQL, API node + 1 worker'];
const pg3 = ours['Runledger PostgreSQL, API node + 3 workers'];
// The most the store itself takes of this record, as the same ratio: the highest a target could read.
const storeAlone = (store: StoreKind, peer: number | undefined) => {
  const best = Math.max(
    ...Object.entries(ceilings)
      .filter(([name]) => name.toLowerCase().includes(store))
      .map(([, c]) => c.executionsPerSecond),
  );
  return ratio(Number.isFinite(best) ? best : undefined, peer);
};
const targets = [
  [
    'Runledger PostgreSQL (1 worker) / graphile-worker',
    ratio(pg1?.perRequest, gw),
    ratio(pg1?.bulk, gw),
    '≥ 1.0',
    storeAlone('postgres', gw),
  ],
  [
    'Runledger PostgreSQL (3 workers) / graphile-worker',
    ratio(pg3?.perRequest, gw),
    ratio(pg3?.bulk, gw),
    '≥ 1.5',
    storeAlone('postgres', gw),
  ],
  ['Runledger SQLite / graphile-worker', ratio(sqlite?.perRequest, gw), ratio(sqlite?.bulk, gw), '≥ 2.0', storeAlone('sqlite', gw)],
  ['Runledger SQLite / BullMQ', ratio(sqlite?.perRequest, bull), ratio(sqlite?.bulk, bull), 'reported', storeAlone('sqlite', bull)],
] as const;
console.log('\nRatios (one request per execution | bulk trigger), target; the store alone');
for (const [name, perRequest, bulk, target, alone] of targets) {
  console.log(`  ${name}: ${fmt(perRequest, 2)} | ${fmt(bulk, 2)}  (${target}; the store alone ${fmt(alone, 2)})`);
}
console.log(`\n40 sequential light tasks, median of ${CHAIN_RUNS} (target ≤ 0.4 s); trigger-to-start p50 of ${LATENCY_RUNS}`);
for (const [name, f] of Object.entries(ours)) {
  console.log(`  ${name}: ${fmt(median(f.chainSeconds), 3)} s; trigger-to-start ${fmt(median(f.triggerToStartMs))} ms`);
}

fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
fs.writeFileSync(
  path.join(ROOT, 'bench/results/peers.json'),
  `${JSON.stringify(
    {
      n: N,
      peerJobs: PEER_JOBS,
      peerConcurrency: PEER_CONCURRENCY,
      inFlight: IN_FLIGHT,
      bulkSize: BULK_SIZE,
      bulkInFlight: BULK_IN_FLIGHT,
      machine: `${os.cpus().length} cores`,
      peers,
      runledger: Object.fromEntries(
        Object.entries(ours).map(([name, f]) => [
          name,
          { ...f, chainSecondsMedian: median(f.chainSeconds), triggerToStartMsP50: median(f.triggerToStartMs) },
        ]),
      ),
      storeAlone: ceilings,
      ratios: Object.fromEntries(targets.map(([name, perRequest, bulk, , alone]) => [name, { perRequest, bulk, storeAlone: alone }])),
    },
    null,
    2,
  )}\n`,
);
