import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDeployment } from '../support/node-deployment.ts';
import { runCli } from '../support/processes.ts';
import { postgresUnavailable, tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Triggers in a deployment of several nodes on PostgreSQL, as real processes: an API node
 * (`serve --no-worker`) that must fire no schedule, then two `runledger worker` processes that race for
 * the same due times and start each once. The workflow is applied and the schedules listed with the
 * real CLI binary; a webhook is signed and sent to the API node.
 */

const MINUTE = 60_000;

const DEFINITION = `
id: nightly_report
name: Nightly report
inputs:
  env: { type: string, required: true }
triggers:
  - id: every_minute
    cron: "* * * * *"
    inputs: { env: prod }
  - id: on_push
    webhook: {}
    inputs: { env: staging }
tasks:
  - id: report
    type: log
    with: { message: "report for {{ inputs.env }} by {{ trigger.type }} {{ trigger.id }}" }
`;

describe.skipIf(postgresUnavailable !== null)('triggers on several nodes (PostgreSQL)', () => {
  const deployment = nodeDeployment('rl_triggers', { RUNLEDGER_WORKER_POLL_INTERVAL: '200ms', RUNLEDGER_DRAIN_TIMEOUT: '2s' });
  const apiDir = deployment.apiDir;
  let db: pg.Client;

  beforeAll(async () => {
    await deployment.setUp();
    db = new pg.Client({ connectionString: deployment.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await deployment.tearDown();
  });

  it('an API-only node fires nothing; two workers start each due time once; webhooks start runs on the API node', async () => {
    const { url: serverUrl, token } = await deployment.startApiNode();
    const cli = (...args: string[]) => {
      const run = runCli(args, {
        env: { ...process.env, RUNLEDGER_SERVER: serverUrl, RUNLEDGER_TOKEN: token, NO_COLOR: '1' },
        cwd: apiDir,
      });
      return { code: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    const file = path.join(apiDir, 'nightly.yaml');
    fs.writeFileSync(file, DEFINITION);
    const applied = cli('workflow', 'apply', file);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('workflow nightly_report: created version 1');
    const secret = /^\s+(whsec_\S+)$/m.exec(applied.stdout)?.[1];
    expect(secret).toBeDefined();

    // Due two minutes ago: the API node polls like a worker would, but must not claim it.
    const boundary = Math.floor(Date.now() / MINUTE) * MINUTE;
    await db.query(`update trigger_schedules set next_due_at = $1`, [new Date(boundary - 2 * MINUTE).toISOString()]);
    await new Promise((r) => setTimeout(r, 1500));
    const count = async (query: string) => Number((await db.query(query)).rows[0].n);
    expect(await count(`select count(*) as n from executions`)).toBe(0);
    expect(await count(`select count(*) as n from trigger_fires`)).toBe(0);

    // Two workers start together and race for the same due times.
    deployment.launch(['worker'], tempDir('runledger-worker-a-'));
    deployment.launch(['worker'], tempDir('runledger-worker-b-'));
    await waitFor(
      async () => ((await count(`select count(*) as n from executions where status = 'completed'`)) >= 1 ? true : undefined),
      'the scheduled execution to complete',
      60_000,
      100,
    );
    await new Promise((r) => setTimeout(r, 1500)); // more looks by both workers: nothing more may start
    const started = (await db.query(`select execution_id, due_at, fired_by from trigger_fires where status = 'started'`)).rows;
    const skipped = (await db.query(`select due_at from trigger_fires where status = 'skipped' order by due_at`)).rows;
    const executions = (await db.query(`select id, trigger, trigger_id from executions`)).rows;
    // The latest due time ran (it is on time), once; the ones before it were missed and skipped.
    expect(started).toHaveLength(1);
    expect(executions).toEqual([{ id: started[0].execution_id, trigger: 'schedule', trigger_id: 'every_minute' }]);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(new Date(skipped[0].due_at).getTime()).toBe(boundary - 2 * MINUTE);
    expect(await count(`select count(*) as n from audit_events where event_type = 'SCHEDULE_MISSED'`)).toBe(1);
    const log = await db.query(`select message from execution_logs where message like 'report for%'`);
    expect(log.rows[0]?.message).toBe('report for prod by schedule every_minute');

    const listed = cli('workflow', 'schedules', '--json');
    expect(listed.code).toBe(0);
    const [schedule] = JSON.parse(listed.stdout) as { triggerId: string; nextRuns: string[]; lastFire: { status: string } }[];
    expect(schedule!.triggerId).toBe('every_minute');
    expect(Date.parse(schedule!.nextRuns[0]!)).toBeGreaterThan(Date.now() - 5000);
    expect(schedule!.lastFire.status).toBe('started');
    expect(cli('workflow', 'schedules').stdout).toMatch(/nightly_report\s+every_minute\s+\* \* \* \* \*\s+UTC/);

    // A signed webhook request to the API node: its execution is run by a worker.
    const body = JSON.stringify({ commit: 'abc123' });
    const ts = Math.floor(Date.now() / 1000);
    const signature = crypto.createHmac('sha256', secret!).update(`${ts}.${body}`).digest('hex');
    const hook = await fetch(`${serverUrl}/v1/workflows/nightly_report/webhooks/on_push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-runledger-timestamp': String(ts), 'x-runledger-signature': `sha256=${signature}` },
      body,
    });
    expect(hook.status).toBe(202);
    const { executionId } = (await hook.json()) as { executionId: string };
    await waitFor(
      async () =>
        (await db.query(`select status from executions where id = $1`, [executionId])).rows[0]?.status === 'completed' ? true : undefined,
      'the webhook execution to complete',
      30_000,
      100,
    );
    const shown = cli('execution', 'inspect', executionId);
    expect(shown.stdout).toMatch(/Trigger\s+webhook on_push/);

    // Rotation through the CLI: the old secret stops working.
    const rotated = cli('workflow', 'rotate-webhook-secret', 'nightly_report', 'on_push');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/secret whsec_/);
    const again = await fetch(`${serverUrl}/v1/workflows/nightly_report/webhooks/on_push`, {
      method: 'POST',
      headers: {
        'x-runledger-timestamp': String(ts),
        'x-runledger-signature': `sha256=${crypto.createHmac('sha256', secret!).update(`${ts}.{}`).digest('hex')}`,
      },
      body: '{}',
    });
    expect(again.status).toBe(401);
    const verified = await fetch(`${serverUrl}/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await verified.json()) as { ok: boolean }).ok).toBe(true);
  }, 120_000);
});
