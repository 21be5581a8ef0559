/**
 * Engine throughput and latency, through the public API as users trigger runs, against the engine
 * of an earlier version (by default the last commit before the store became the scheduler), both run
 * in this one invocation on this machine:
 *   - executions/s of a one-task (`log`) workflow, N triggered over HTTP with 20 requests in flight;
 *   - the wall time of 40 sequential light tasks (a chain of `log` tasks), created → completed;
 * on SQLite (one node: the store is single-node), on PostgreSQL as one node (`serve`, as the
 * baseline runs) and with 1 and 3 `runledger worker` processes behind an API node. The baseline is today's code checked out from git into a temporary
 * directory and run with the same node_modules.
 *
 *   npx tsx bench/engine.ts   (BENCH_EXECUTIONS=500, BENCH_CHAIN_RUNS=3, BENCH_ROUNDS=2, BENCH_BASELINE_REF=cd1e7b4,
 *                              BENCH_CASES=one node,3 workers to run only the cases whose names contain these)
 *
 * Prints `name: ours X, baseline Y, ratio Z` lines and writes bench/results/engine.json.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 500);
const CHAIN_RUNS = Number(process.env.BENCH_CHAIN_RUNS ?? 3);
/** Ours and the baseline alternate this many times per case, so a busy moment of the machine hits both. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const IN_FLIGHT = 20;
const BASELINE_REF = process.env.BENCH_BASELINE_REF ?? 'cd1e7b4';
const PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
const AUDIT_KEY = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ROOT = path.resolve(import.meta.dirname, '..');

interface Deployment {
  url: string;
  token: string;
  stop(): Promise<void>;
}

interface Figures {
  executionsPerSecond: number;
  chainSeconds: number[];
}

const oneTask = { id: 'one', name: 'One task', tasks: [{ id: 'a', type: 'log', with: { message: 'hello' } }] };
const chain = {
  id: 'chain',
  name: 'Forty sequential tasks',
  tasks: Array.from({ length: 40 }, (_, i) => ({
    id: `t${i}`,
    type: 'log',
    ...(i > 0 ? { needs: [`t${i - 1}`] } : {}),
    with: { message: `step ${i}` },
  })),
};

/**
 * The baseline's node_modules: this checkout's packages, linked, plus those the baseline depends on
 * and this one no longer does (installed once into a directory of their own).
 */
function linkDependencies(dir: string): void {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  }
  const wanted = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> })
    .dependencies;
  const missing = Object.entries(wanted ?? {}).filter(([name]) => !fs.existsSync(path.join(ROOT, 'node_modules', name)));
  if (missing.length === 0) return;
  const extra = path.join(dir, '.baseline-deps');
  fs.mkdirSync(extra);
  execFileSync(
    'npm',
    ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', extra, ...missing.map(([n, v]) => `${n}@${v}`)],
    {
      stdio: 'ignore',
    },
  );
  for (const [name] of missing) {
    const scope = name.startsWith('@') ? name.split('/')[0]! : null;
    if (scope) fs.mkdirSync(path.join(modules, scope), { recursive: true });
    if (!fs.existsSync(path.join(modules, name))) fs.symlinkSync(path.join(extra, 'node_modules', name), path.join(modules, name));
  }
}

/** The engine of `ref`, checked out next to this one. */
function checkoutBaseline(ref: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-baseline-'));
  try {
    const archive = execFileSync('git', ['-C', ROOT, 'archive', ref, 'src', 'bin', 'package.json'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    linkDependencies(dir);
    return dir;
  } catch (e) {
    console.error(`baseline ${ref} unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

function launch(root: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'bin/runledger.js'), ...args], {
    env: { ...process.env, RUNLEDGER_LOG_LEVEL: 'silent', RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} never appeared`);
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** A server (and workers) on a fresh store: SQLite in a new directory, or a new PostgreSQL database. */
async function deploy(root: string, store: 'sqlite' | 'postgres', workers: number): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-'));
  // One deployment: every node shares the secret key and the audit key.
  const env: NodeJS.ProcessEnv = { RUNLEDGER_DATA_DIR: dataDir, RUNLEDGER_SECRET_KEY: SECRET_KEY, RUNLEDGER_AUDIT_SIGNING_KEY: AUDIT_KEY };
  let database: string | undefined;
  if (store === 'postgres') {
    database = `rl_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${database}`;
    env.RUNLEDGER_DATABASE_URL = url.toString();
  }
  const children: ChildProcess[] = [];
  const separateWorkers = store === 'postgres' && workers > 0;
  children.push(launch(root, ['serve', '--port', '0', ...(separateWorkers ? ['--no-worker'] : [])], env));
  const { url } = JSON.parse(await waitForFile(path.join(dataDir, 'server.json'))) as { url: string };
  for (let i = 0; i < (separateWorkers ? workers : 0); i++) {
    children.push(
      launch(root, ['worker'], { ...env, RUNLEDGER_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-worker-')) }),
    );
  }
  const token = fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim();
  return {
    url,
    token,
    async stop() {
      await stopAll(children);
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (database) {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
    },
  };
}

async function call(d: Deployment, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${d.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${d.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function measure(d: Deployment): Promise<Figures> {
  await call(d, 'PUT', '/v1/workflows/one', oneTask);
  await call(d, 'PUT', '/v1/workflows/chain', chain);
  // Warm-up: the first requests pay for loading code paths.
  for (let i = 0; i < 10; i++) await call(d, 'POST', '/v1/workflows/one/run', {});

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < EXECUTIONS) {
        next += 1;
        await call(d, 'POST', '/v1/workflows/one/run', {});
      }
    }),
  );
  const total = EXECUTIONS + 10;
  for (;;) {
    const { count } = (await call(d, 'GET', '/v1/workflows/one/executions/count?status=completed')) as { count: number };
    if (count >= total) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const executionsPerSecond = EXECUTIONS / ((performance.now() - started) / 1000);

  const chainSeconds: number[] = [];
  for (let i = 0; i < CHAIN_RUNS; i++) {
    const { executionId } = (await call(d, 'POST', '/v1/workflows/chain/run', {})) as { executionId: string };
    for (;;) {
      const e = (await call(d, 'GET', `/v1/executions/${executionId}`)) as {
        status: string;
        createdAt: string;
        completedAt: string | null;
      };
      if (e.status === 'completed') {
        chainSeconds.push((Date.parse(e.completedAt!) - Date.parse(e.createdAt)) / 1000);
        break;
      }
      if (['failed', 'cancelled', 'timed_out'].includes(e.status)) throw new Error(`chain ended ${e.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { executionsPerSecond, chainSeconds };
}

async function run(root: string, store: 'sqlite' | 'postgres', workers: number): Promise<Figures> {
  const d = await deploy(root, store, workers);
  try {
    return await measure(d);
  } finally {
    await d.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

const baselineRoot = checkoutBaseline(BASELINE_REF);
const results: Record<string, unknown> = {
  executions: EXECUTIONS,
  chainRuns: CHAIN_RUNS,
  rounds: ROUNDS,
  baselineRef: BASELINE_REF,
  machine: `${os.cpus().length} cores`,
};
const summary = (figures: Figures[]) => ({
  executionsPerSecond: median(figures.map((f) => f.executionsPerSecond)),
  chainSeconds: median(figures.flatMap((f) => f.chainSeconds)),
});
try {
  const cases: Array<{ name: string; store: 'sqlite' | 'postgres'; workers: number }> = [
    { name: 'SQLite, one node', store: 'sqlite', workers: 0 },
    { name: 'PostgreSQL, one node', store: 'postgres', workers: 0 },
    { name: 'PostgreSQL, API node + 1 worker', store: 'postgres', workers: 1 },
    { name: 'PostgreSQL, API node + 3 workers', store: 'postgres', workers: 3 },
  ];
  // BENCH_CASES=postgres,sqlite… keeps the cases whose name contains one of the words (case-insensitive).
  const only = (process.env.BENCH_CASES ?? '').toLowerCase().split(',').filter(Boolean);
  for (const c of cases.filter((x) => only.length === 0 || only.some((w) => x.name.toLowerCase().includes(w)))) {
    const ours: Figures[] = [];
    const base: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The earlier engine runs tasks inside its one server process: its shape is "one node".
      if (baselineRoot) base.push(await run(baselineRoot, c.store, 0));
      ours.push(await run(ROOT, c.store, c.workers));
    }
    const o = summary(ours);
    const b = base.length > 0 ? summary(base) : null;
    results[c.name] = { ours: o, baseline: b, rounds: { ours, baseline: base } };
    const rate = b ? `, baseline ${fmt(b.executionsPerSecond)}/s, ratio ${fmt(o.executionsPerSecond / b.executionsPerSecond, 2)}` : '';
    console.log(`one-task executions [${c.name}]: ours ${fmt(o.executionsPerSecond)}/s${rate}`);
    const chainBase = b ? `, baseline ${fmt(b.chainSeconds, 3)} s, ratio ${fmt(o.chainSeconds / b.chainSeconds, 2)}` : '';
    console.log(`40 sequential tasks [${c.name}]: ours ${fmt(o.chainSeconds, 3)} s${chainBase} (median of ${CHAIN_RUNS * ROUNDS})`);
  }
  console.log('SQLite with 3 workers: not applicable (the embedded store is single-node; several workers need PostgreSQL)');
} finally {
  if (baselineRoot) fs.rmSync(baselineRoot, { recursive: true, force: true });
}
fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench/results/engine.json'), `${JSON.stringify(results, null, 2)}\n`);
