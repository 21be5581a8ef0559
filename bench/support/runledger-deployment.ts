/**
 * Runledger deployments for the benchmarks, as real processes on fresh stores, and the measurements
 * they share: a one-task workflow, a chain of 40 sequential light tasks, calls of the public HTTP API.
 * Used by bench/engine.ts and bench/peers.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const PG_URL = process.env.RUNLEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
const AUDIT_KEY = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export type StoreKind = 'sqlite' | 'postgres';

export interface Deployment {
  url: string;
  token: string;
  /** The store: the SQLite file, or the PostgreSQL database's URL. */
  store: string;
  /** Stops the processes and keeps the store (removed by `stop`). */
  halt(): Promise<void>;
  /** Stops the processes and removes the store. */
  stop(): Promise<void>;
}

/** A workflow of one `log` task: the unit of the throughput figures. */
export const oneTask = { id: 'one', name: 'One task', tasks: [{ id: 'a', type: 'log', with: { message: 'hello' } }] };

/** Forty `log` tasks, each needing the one before: the latency of a sequence of light tasks. */
export const chain = {
  id: 'chain',
  name: 'Forty sequential tasks',
  tasks: Array.from({ length: 40 }, (_, i) => ({
    id: `t${i}`,
    type: 'log',
    ...(i > 0 ? { needs: [`t${i - 1}`] } : {}),
    with: { message: `step ${i}` },
  })),
};

/** Node options for the server and worker processes, e.g. `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile them. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

function launch(root: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, path.join(root, 'bin/runledger.js'), ...args], {
    env: { ...process.env, RUNLEDGER_LOG_LEVEL: 'silent', RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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

/** A new PostgreSQL database of its own (dropped by the returned function): every case starts empty. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${database} with (force)`);
      await c.end();
    },
  };
}

/**
 * A server of the code in `root` on a fresh store: SQLite in a new directory (one node: `serve`), or a
 * new PostgreSQL database; there, with `workers` > 0, an API node (`serve --no-worker`) and that many
 * `runledger worker` processes, else one `serve` that runs tasks itself.
 */
export async function deploy(root: string, store: StoreKind, workers: number): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-bench-'));
  // One deployment: every node shares the secret key and the audit key.
  const env: NodeJS.ProcessEnv = { RUNLEDGER_DATA_DIR: dataDir, RUNLEDGER_SECRET_KEY: SECRET_KEY, RUNLEDGER_AUDIT_SIGNING_KEY: AUDIT_KEY };
  const database = store === 'postgres' ? await freshDatabase('rl_bench') : undefined;
  if (database) env.RUNLEDGER_DATABASE_URL = database.url;
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
    store: database?.url ?? path.join(dataDir, 'runledger.db'),
    halt: () => stopAll(children),
    async stop() {
      await stopAll(children);
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

/** One call of the public HTTP API; an error answer throws. */
export async function call(d: Deployment, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${d.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${d.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Waits until `total` executions of `workflowId` have completed. */
export async function waitForCompleted(d: Deployment, workflowId: string, total: number): Promise<void> {
  for (;;) {
    const { count } = (await call(d, 'GET', `/v1/workflows/${workflowId}/executions/count?status=completed`)) as { count: number };
    if (count >= total) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The wall time, created → completed as the record has it, of `runs` executions of the chain one after another. */
export async function chainSeconds(d: Deployment, runs: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { executionId } = (await call(d, 'POST', '/v1/workflows/chain/run', {})) as { executionId: string };
    for (;;) {
      const e = (await call(d, 'GET', `/v1/executions/${executionId}`)) as {
        status: string;
        createdAt: string;
        completedAt: string | null;
      };
      if (e.status === 'completed') {
        seconds.push((Date.parse(e.completedAt!) - Date.parse(e.createdAt)) / 1000);
        break;
      }
      if (['failed', 'cancelled', 'timed_out'].includes(e.status)) throw new Error(`chain ended ${e.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return seconds;
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** BENCH_CASES=postgres,sqlite… keeps the cases whose name contains one of the words (case-insensitive); unset, all. */
export function selectedCases<T extends { name: string }>(cases: readonly T[]): T[] {
  const only = (process.env.BENCH_CASES ?? '').toLowerCase().split(',').filter(Boolean);
  return cases.filter((c) => only.length === 0 || only.some((w) => c.name.toLowerCase().includes(w.trim())));
}
