import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, tempDir, TEST_PG_URL } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * for_each, if and workflow tasks across real processes on PostgreSQL: one API node and three
 * workers. The `concurrency` of a for_each task is a limit on the store, not in one process's memory:
 * three workers with eight slots each never run more items of the task at once than it allows.
 */

const BIN = path.resolve('bin/runledger.js');
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const AUDIT_KEY = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ITEMS = 12;
const CONCURRENCY = 3;

describe.skipIf(postgresUnavailable !== null)('flow on several nodes (PostgreSQL)', () => {
  const database = `rl_flow_${process.pid}`;
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const apiDir = tempDir();
  const processes: ChildProcess[] = [];
  let admin: pg.Client;

  const env = (dataDir: string): NodeJS.ProcessEnv => ({
    ...process.env,
    RUNLEDGER_DATA_DIR: dataDir,
    RUNLEDGER_DATABASE_URL: databaseUrl,
    RUNLEDGER_SECRET_KEY: SECRET_KEY,
    RUNLEDGER_AUDIT_SIGNING_KEY: AUDIT_KEY,
    RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery',
    RUNLEDGER_LOG_LEVEL: 'silent',
    RUNLEDGER_WORKER_POLL_INTERVAL: '250ms',
  });
  const launch = (args: string[], dataDir: string): ChildProcess => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    processes.push(child);
    return child;
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
  });

  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    fs.rmSync(apiDir, { recursive: true, force: true });
  });

  it(`runs ${ITEMS} items ${CONCURRENCY} at a time over three workers, then a condition and a child execution`, async () => {
    launch(['serve', '--no-worker', '--port', '0'], apiDir);
    const serverUrl = await waitFor(
      () => {
        const file = path.join(apiDir, 'server.json');
        return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined;
      },
      'the API node to listen',
      60_000,
    );
    // Two attempts per worker: reaching the item concurrency (3) takes more than one worker, so the
    // limit is shown to hold across processes (a worker's report may claim the next item itself).
    for (const n of [1, 2, 3]) launch(['worker', '--concurrency', '2'], tempDir(`runledger-flow-worker-${n}-`));
    const token = fs.readFileSync(path.join(apiDir, 'local-token'), 'utf8').trim();
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${serverUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(
      (
        await call('PUT', '/v1/workflows/hello', {
          id: 'hello',
          name: 'Hello',
          tasks: [{ id: 'greet', type: 'log', with: { message: 'hi' } }],
        })
      ).status,
    ).toBe(201);
    const fan = {
      id: 'fan',
      name: 'Fan out',
      inputs: {
        servers: { type: 'array', default: Array.from({ length: ITEMS }, (_, i) => `web${i}`) },
        env: { type: 'string', default: 'prod' },
      },
      tasks: [
        {
          id: 'each',
          type: 'shell',
          for_each: '{{ inputs.servers }}',
          concurrency: CONCURRENCY,
          with: { command: 'sleep 0.4; echo {{ item }}' },
        },
        {
          id: 'prod_only',
          type: 'log',
          needs: ['each'],
          if: "inputs.env == 'prod' && size(tasks.each.output) == 12",
          with: { message: 'prod' },
        },
        { id: 'child', type: 'workflow', needs: ['prod_only'], with: { workflow: 'hello' } },
      ],
    };
    expect((await call('PUT', '/v1/workflows/fan', fan)).status).toBe(201);
    const runs = await Promise.all([1, 2].map(() => call('POST', '/v1/workflows/fan/run', {})));
    const ids = runs.map((r) => r.body.executionId as string);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await waitFor(
        async () => {
          const { rows } = await db.query<{ n: string }>(
            `select count(*) as n from executions where id = any($1) and status in ('completed','failed','cancelled','timed_out')`,
            [ids],
          );
          return Number(rows[0]!.n) === ids.length ? true : undefined;
        },
        'both executions to end',
        90_000,
      );
      for (const id of ids) {
        const { rows: executions } = await db.query<{ status: string; error: unknown }>(
          `select status, error from executions where id = $1`,
          [id],
        );
        expect(executions[0]!.status, JSON.stringify(executions[0]!.error)).toBe('completed');
        const { rows: items } = await db.query<{ started_at: Date; completed_at: Date; worker_id: string; status: string }>(
          `select started_at, completed_at, worker_id, status from task_runs where execution_id = $1 and task_id = 'each' and item_index is not null`,
          [id],
        );
        expect(items).toHaveLength(ITEMS);
        expect(items.every((r) => r.status === 'succeeded')).toBe(true);
        const at = (t: Date) => items.filter((o) => o.started_at <= t && t < o.completed_at).length;
        expect(Math.max(...items.map((r) => at(r.started_at)))).toBe(CONCURRENCY);
        expect(new Set(items.map((r) => r.worker_id)).size).toBeGreaterThan(1);
        const { rows: children } = await db.query<{ status: string; trigger: string }>(
          `select status, trigger from executions where parent_execution_id = $1`,
          [id],
        );
        expect(children).toEqual([{ status: 'completed', trigger: 'workflow' }]);
      }
    } finally {
      await db.end();
    }
    const verify = spawnSync(process.execPath, [BIN, 'audit', 'verify'], { env: env(apiDir), encoding: 'utf8', timeout: 60_000 });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);
});
