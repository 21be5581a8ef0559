/**
 * Engine throughput and latency, through the public API as users trigger runs, against the engine
 * of an earlier version (by default the last commit before the store became the scheduler), both run
 * in this one invocation on this machine:
 *   - executions/s of a one-task (`log`) workflow, N triggered over HTTP with 20 requests in flight;
 *   - the wall time of 40 sequential light tasks (a chain of `log` tasks), created → completed;
 * on SQLite (one node: the store is single-node), on PostgreSQL as one node (`serve`) and with 1 and 3
 * `runledger worker` processes behind an API node. The baseline is the code of a git ref checked out
 * into a temporary directory and run with the same node_modules, deployed as ours is (an engine from
 * before `runledger worker` as one node, which is how it ran tasks). The clock starts once a warm-up
 * has run, so a worker process still starting is not measured.
 *
 *   npx tsx bench/engine.ts   (BENCH_EXECUTIONS=500, BENCH_CHAIN_RUNS=3, BENCH_ROUNDS=2, BENCH_BASELINE_REF=cd1e7b4,
 *                              BENCH_CASES=one node,3 workers to run only the cases whose names contain these)
 *
 * Prints `name: ours X, baseline Y, ratio Z` lines and writes bench/results/engine.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  call,
  chain,
  chainSeconds as measureChain,
  deploy,
  median,
  oneTask,
  ROOT,
  selectedCases,
  waitForCompleted,
  type Deployment,
} from './support/runledger-deployment.ts';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 500);
const CHAIN_RUNS = Number(process.env.BENCH_CHAIN_RUNS ?? 3);
/** Ours and the baseline alternate this many times per case, so a busy moment of the machine hits both. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const IN_FLIGHT = 20;
const BASELINE_REF = process.env.BENCH_BASELINE_REF ?? 'cd1e7b4';

interface Figures {
  executionsPerSecond: number;
  chainSeconds: number[];
}

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

async function measure(d: Deployment): Promise<Figures> {
  await call(d, 'PUT', '/v1/workflows/one', oneTask);
  await call(d, 'PUT', '/v1/workflows/chain', chain);
  // Warm-up: the first requests pay for loading code paths, and the clock starts once the workers
  // have run them (a worker process that is still starting would otherwise be measured).
  for (let i = 0; i < 10; i++) await call(d, 'POST', '/v1/workflows/one/run', {});
  await waitForCompleted(d, 'one', 10);

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
  await waitForCompleted(d, 'one', EXECUTIONS + 10);
  const executionsPerSecond = EXECUTIONS / ((performance.now() - started) / 1000);
  return { executionsPerSecond, chainSeconds: await measureChain(d, CHAIN_RUNS) };
}

async function run(root: string, store: 'sqlite' | 'postgres', workers: number): Promise<Figures> {
  const d = await deploy(root, store, workers);
  try {
    return await measure(d);
  } finally {
    await d.stop();
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

const baselineRoot = checkoutBaseline(BASELINE_REF);
/** Whether the baseline has `runledger worker` (engines before it ran tasks only inside their server). */
const baselineHasWorkers =
  baselineRoot !== null && fs.readFileSync(path.join(baselineRoot, 'src/cli/main.ts'), 'utf8').includes("'worker'");
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
  for (const c of selectedCases(cases)) {
    const ours: Figures[] = [];
    const base: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // An engine from before `runledger worker` runs tasks inside its one server process: its shape
      // is then "one node"; a later one is deployed as ours is.
      if (baselineRoot) base.push(await run(baselineRoot, c.store, baselineHasWorkers ? c.workers : 0));
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
