import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDeployment } from '../support/node-deployment.ts';
import { apiCaller } from '../support/processes.ts';
import { postgresUnavailable, tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * for_each, if and workflow tasks across real processes on PostgreSQL: one API node and three
 * workers. The `concurrency` of a for_each task is a limit on the store, not in one process's memory:
 * three workers with eight slots each never run more items of the task at once than it allows.
 */

const ITEMS = 12;
const CONCURRENCY = 3;

describe.skipIf(postgresUnavailable !== null)('flow on several nodes (PostgreSQL)', () => {
  const deployment = nodeDeployment('rl_flow', { RUNLEDGER_WORKER_POLL_INTERVAL: '250ms' });
  beforeAll(() => deployment.setUp());
  afterAll(() => deployment.tearDown());

  it(`runs ${ITEMS} items ${CONCURRENCY} at a time over three workers, then a condition and a child execution`, async () => {
    const { url: serverUrl, token } = await deployment.startApiNode();
    // Two attempts per worker: reaching the item concurrency (3) takes more than one worker, so the
    // limit is shown to hold across processes (a worker's report may claim the next item itself).
    for (const n of [1, 2, 3]) deployment.launch(['worker', '--concurrency', '2'], tempDir(`runledger-flow-worker-${n}-`));
    const call = apiCaller(serverUrl, token);
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

    const db = new pg.Client({ connectionString: deployment.databaseUrl });
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
    const verify = deployment.runCli(['audit', 'verify']);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);
});
