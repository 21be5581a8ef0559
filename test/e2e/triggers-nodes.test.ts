import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, tempDir, TEST_PG_URL } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Triggers in a deployment of several nodes on PostgreSQL, as real processes: an API node
 * (`serve --no-worker`) that must fire no schedule, then two `runledger worker` processes that race for
 * the same due times and start each once. The workflow is applied and the schedules listed with the
 * real CLI binary; a webhook is signed and sent to the API node.
 */

const BIN = path.resolve('bin/runledger.js');
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const AUDIT_KEY = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
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
  const database = `rl_triggers_${process.pid}`;
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const apiDir = tempDir();
  const processes: ChildProcess[] = [];
  let admin: pg.Client;
  let db: pg.Client;

  const env = (dataDir: string): NodeJS.ProcessEnv => ({
    ...process.env,
    RUNLEDGER_DATA_DIR: dataDir,
    RUNLEDGER_DATABASE_URL: databaseUrl,
    RUNLEDGER_SECRET_KEY: SECRET_KEY,
    RUNLEDGER_AUDIT_SIGNING_KEY: AUDIT_KEY,
    RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery',
    RUNLEDGER_LOG_LEVEL: 'silent',
    RUNLEDGER_WORKER_POLL_INTERVAL: '200ms',
    RUNLEDGER_DRAIN_TIMEOUT: '2s',
  });
  const launch = (args: string[], dataDir: string): ChildProcess => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('exit', (code, signal) => {
      if (code !== 0 && code !== null && signal === null) console.error(`${args[0]} exited ${code}: ${output}`);
    });
    processes.push(child);
    return child;
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    await db?.end();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    fs.rmSync(apiDir, { recursive: true, force: true });
  });

  it('an API-only node fires nothing; two workers start each due time once; webhooks start runs on the API node', async () => {
    launch(['serve', '--no-worker', '--port', '0'], apiDir);
    const serverUrl = await waitFor(
      () => {
        const file = path.join(apiDir, 'server.json');
        return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined;
      },
      'the API node to listen',
      60_000,
    );
    const token = fs.readFileSync(path.join(apiDir, 'local-token'), 'utf8').trim();
    const cli = (...args: string[]) => {
      const run = spawnSync(process.execPath, [BIN, ...args], {
        env: { ...process.env, RUNLEDGER_SERVER: serverUrl, RUNLEDGER_TOKEN: token, NO_COLOR: '1' },
        cwd: apiDir,
        encoding: 'utf8',
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
    launch(['worker'], tempDir('runledger-worker-a-'));
    launch(['worker'], tempDir('runledger-worker-b-'));
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
