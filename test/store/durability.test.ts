import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect, postgresUnavailable, tempDir, TEST_PG_URL } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

const R = '\uFFFD';

describeEachDialect('text the store cannot hold as is', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h.dispose();
  });

  it('is made storable (NUL and unpaired surrogates become U+FFFD) wherever a person or a task puts text, and runs end as they should', async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'odd',
      name: 'Odd text',
      inputs: { name: { type: 'string', required: true }, tags: { type: 'object', default: { 'k\u0000': 'v\ud800' } } },
      tasks: [
        { id: 'print', type: 'shell', with: { command: "printf 'a\\000b\\n'; printf 'tail\\000'" } },
        { id: 'say', type: 'log', needs: ['print'], with: { message: 'hello {{ inputs.name }}' } },
      ],
    });
    const name = 'p\u0000q\ud800r\udfff';
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/odd/run', {
      inputs: { name },
      title: 'T\u0000\udc00',
      correlationId: 'c\u0000d',
    });
    expect(res.status).toBe(202);
    expect(await h.engine.waitForExecution(res.body.executionId, 20_000)).toBe('completed');
    const e = (await h.api<ExecutionView & { title: string; correlationId: string }>('GET', `/v1/executions/${res.body.executionId}`)).body;
    expect(e.inputs).toMatchObject({ name: `p${R}q${R}r${R}`, tags: { [`k${R}`]: `v${R}` } });
    expect([e.title, e.correlationId]).toEqual([`T${R}${R}`, `c${R}d`]);
    expect(e.taskRuns.find((r) => r.taskId === 'print')?.output).toMatchObject({ stdout: `a${R}b\ntail${R}` });
    const logs = await h.api<{ items: { message: string }[] }>('GET', `/v1/executions/${res.body.executionId}/logs`);
    const messages = logs.body.items.map((l) => l.message);
    expect(messages).toEqual(expect.arrayContaining([`a${R}b`, `tail${R}`, `hello p${R}q${R}r${R}`]));

    // A cancel reason with the same characters, on a run that is still going.
    await h.apply({ id: 'long', name: 'Long', tasks: [{ id: 'wait', type: 'sleep', with: { duration: '30s' } }] });
    const long = await h.api<{ executionId: string }>('POST', '/v1/workflows/long/run', {});
    await waitFor(
      async () =>
        (await h.api<ExecutionView>('GET', `/v1/executions/${long.body.executionId}`)).body.status === 'running' ? true : undefined,
      'the run',
    );
    const cancelled = await h.api<ExecutionView>('POST', `/v1/executions/${long.body.executionId}/cancel`, {
      reason: 'stop\u0000now\ud800',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.error?.message).toBe(`stop${R}now${R}`);
  });
});

describe('a SQLite store that is full, then has room again', () => {
  let h: Harness;
  afterEach(async () => {
    await h.dispose();
  });

  it('refuses commands with the cause, says so in /readyz, records the run once it can, and marks lost lines', async () => {
    h = await createHarness('sqlite');
    await h.apply({
      id: 'chatty',
      name: 'Chatty',
      tasks: [
        {
          id: 'talk',
          type: 'shell',
          with: { command: 'for i in $(seq 1 30); do echo "line $i of a long and chatty task"; sleep 0.05; done' },
        },
      ],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/chatty/run', {});
    await waitFor(
      async () => ((await h.api<ExecutionView>('GET', `/v1/executions/${body.executionId}`)).body.status === 'running' ? true : undefined),
      'the run',
    );
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(h.store.db);
    // The disk is full: the file may not grow by one page.
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(h.store.db);
    try {
      const refused = await waitFor(async () => {
        const r = await h.api<{ code: string; cause: string }>('POST', '/v1/workflows/chatty/run', {});
        return r.status === 503 ? r.body : undefined;
      }, 'a command refused for a full store');
      expect(refused).toMatchObject({ code: 'STORE_UNAVAILABLE', cause: 'SQLITE_FULL' });
      const ready = await h.api<{ status: string; cause: string }>('GET', '/readyz', undefined, null);
      expect([ready.status, ready.body.status, ready.body.cause]).toEqual([503, 'unavailable', 'SQLITE_FULL']);
      // The task keeps talking while nothing can be written.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await sql.raw('pragma max_page_count = 1073741823').execute(h.store.db);
    }
    expect(await h.engine.waitForExecution(body.executionId, 30_000)).toBe('completed');
    const ready = await waitFor(async () => {
      const r = await h.api<{ status: string }>('GET', '/readyz', undefined, null);
      return r.status === 200 ? r.body : undefined;
    }, 'the store to be ready');
    expect(ready.status).toBe('ready');
    const logs = await h.api<{ items: { source: string; message: string }[] }>('GET', `/v1/executions/${body.executionId}/logs?limit=1000`);
    const stored = logs.body.items.filter((l) => l.message.includes('of a long and chatty task')).length;
    const marker = logs.body.items.find((l) => l.source === 'runledger');
    if (stored < 30) {
      // Every line the store could not take is counted (the task's and the scheduler's alike).
      const [, count] = /^(\d+) log line\(s\) written between .* could not be stored \(SQLITE_FULL\)/.exec(marker?.message ?? '') ?? [];
      expect(Number(count)).toBeGreaterThanOrEqual(30 - stored);
    }
    const audit = await h.api<{ verification: { ok: boolean } }>('GET', `/v1/executions/${body.executionId}/audit`);
    expect(audit.body.verification.ok).toBe(true);
  });

  it('keeps answering while another process holds the write lock, and carries on when it lets go', async () => {
    h = await createHarness('sqlite');
    await h.apply({ id: 'quick', name: 'Quick', tasks: [{ id: 'a', type: 'log', with: { message: 'done' } }] });
    const other = new Database(sqliteFile(h.dataDir));
    other.exec('BEGIN IMMEDIATE');
    let released = false;
    try {
      const run = h.api<{ executionId: string }>('POST', '/v1/workflows/quick/run', {});
      // The event loop is free while the start waits for the lock: the health check answers meanwhile.
      const health = await h.api<{ status: string }>('GET', '/healthz', undefined, null);
      expect([health.status, released]).toEqual([200, false]);
      setTimeout(() => {
        released = true;
        other.exec('COMMIT');
      }, 600);
      const started = await run;
      expect(started.status).toBe(202);
      expect(released).toBe(true);
      expect(await h.engine.waitForExecution(started.body.executionId, 20_000)).toBe('completed');
    } finally {
      if (!released) other.exec('ROLLBACK');
      other.close();
    }
  });
});

describe.skipIf(postgresUnavailable !== null)('PostgreSQL closing the server’s connections', () => {
  const database = `rl_durable_${process.pid}`;
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  let admin: pg.Client;
  let server: RunningServer;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
    server = await startServer(
      loadConfig(
        { RUNLEDGER_LOG_LEVEL: 'silent', RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery' },
        { dataDir: tempDir(), databaseUrl: url.toString(), port: 0 },
      ),
      { print: () => {}, warn: () => {} },
    );
  });
  afterAll(async () => {
    await server?.close();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  it('keeps serving: lost connections are replaced, work in flight carries on', async () => {
    const login = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'correct horse battery' }),
    });
    const { token } = (await login.json()) as { token: string };
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${server.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const terminate = () => admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [database]);
    await call('PUT', '/v1/workflows/pair', {
      id: 'pair',
      name: 'Pair',
      tasks: [
        { id: 'a', type: 'sleep', with: { duration: '500ms' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'after' } },
      ],
    });
    const first = (await call('POST', '/v1/workflows/pair/run', {})).body.executionId as string;
    await terminate(); // while the first run sleeps
    await new Promise((r) => setTimeout(r, 100));
    await terminate(); // and once more, idle connections included
    const second = await waitFor(async () => {
      const r = await call('POST', '/v1/workflows/pair/run', {});
      return r.status === 202 ? (r.body.executionId as string) : undefined;
    }, 'a run to be accepted after the connections were closed');
    for (const id of [first, second]) {
      const ended = await waitFor(async () => {
        const e = (await call('GET', `/v1/executions/${id}`)).body;
        return ['completed', 'failed'].includes(e.status as string) ? e : undefined;
      }, `execution ${id} to end`);
      expect(ended.status).toBe('completed');
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
