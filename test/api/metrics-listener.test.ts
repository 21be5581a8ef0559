import { afterEach, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { startWorker, type RunningWorker } from '../../src/api/worker-process.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

const PASSWORD = 'metrics-admin-password';

/** The value of one series in Prometheus's text format, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeEachDialect('RUNLEDGER_METRICS_PORT', (dialect) => {
  let t: TestStore;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await t.dispose();
  });

  function config() {
    return loadConfig(
      {
        RUNLEDGER_LOG_LEVEL: 'silent',
        RUNLEDGER_ADMIN_PASSWORD: PASSWORD,
        RUNLEDGER_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
        RUNLEDGER_METRICS_PORT: '0',
        RUNLEDGER_WORKER_POLL_INTERVAL: '100ms',
      },
      { dataDir: t.dataDir, databaseUrl: t.databaseUrl, port: 0 },
    );
  }

  it('serves /metrics without a token on an address of its own, for an API node and for a worker', async () => {
    t = await createTestStore(dialect);
    // SQLite: one process runs everything. PostgreSQL: an API node and a worker, each scraped on its own port.
    const server: RunningServer = await startServer(config(), { print: () => {}, worker: dialect === 'sqlite', schema: t.schema });
    stops.push(() => server.close());
    let worker: RunningWorker | undefined;
    if (dialect === 'postgres') {
      worker = await startWorker(config(), { print: () => {}, schema: t.schema });
      stops.push(() => worker!.close());
    }
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const login = (await (
      await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      })
    ).json()) as { token: string };
    const auth = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' };
    const definition = { id: 'scraped', name: 'Scraped', tasks: [{ id: 'a', type: 'shell', with: { command: 'echo hi' } }] };
    expect(
      (await fetch(`${server.url}/v1/workflows/scraped`, { method: 'PUT', headers: auth, body: JSON.stringify(definition) })).status,
    ).toBe(201);
    const started = (await (
      await fetch(`${server.url}/v1/workflows/scraped/run`, { method: 'POST', headers: auth, body: '{}' })
    ).json()) as {
      executionId: string;
    };
    expect(await server.engine.waitForExecution(started.executionId, 20_000)).toBe('completed');

    // The API's own /metrics still wants a token; the separate listener does not, and serves nothing else.
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.metricsUrl}/v1/workflows`)).status).toBe(404);
    const scrape = async (url: string) => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text();
    };
    const api = await scrape(server.metricsUrl!);
    expect(valueOf(api, 'runledger_executions_started_total{workflow="scraped"}')).toBe(1);
    expect(valueOf(api, 'runledger_executions{status="completed"}')).toBe(1);
    // Where the attempt ran and the execution ended: the worker, which has no API to scrape.
    const ran = worker ? await scrape(worker.metricsUrl!) : api;
    expect(valueOf(ran, 'runledger_task_runs_claimed_total')).toBe(1);
    expect(valueOf(ran, 'runledger_task_run_duration_seconds_count{type="shell",status="succeeded"}')).toBe(1);
    expect(valueOf(ran, 'runledger_executions_ended_total{workflow="scraped",status="completed"}')).toBe(1);
    if (worker) expect(valueOf(api, 'runledger_task_runs_claimed_total')).toBe(0);
  });
});
