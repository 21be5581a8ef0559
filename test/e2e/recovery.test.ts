import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { apiCaller, processGroupAlive, Processes, runCli, runledgerEnv } from '../support/processes.ts';
import { tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

function env(dataDir: string): NodeJS.ProcessEnv {
  return runledgerEnv(dataDir, { RUNLEDGER_LEASE_DURATION: '2s', RUNLEDGER_WORKER_POLL_INTERVAL: '200ms' });
}

interface RunView {
  taskId: string;
  attempt: number;
  status: string;
  error: { code: string } | null;
  startedAt: string | null;
  completedAt: string | null;
}

describe('a SQLite server killed with SIGKILL', () => {
  const dataDir = tempDir();
  const counter = path.join(dataDir, 'flaky-counter');
  const pidFile = path.join(dataDir, 'long.pid');
  const processes = new Processes();

  afterAll(async () => {
    await processes.killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a retry and a running deadline on restart with the backoff and the deadline honoured, leaving no task process behind', async () => {
    let started = await processes.startServer(env(dataDir));
    const call = apiCaller(() => started.url, started.token);
    const definitions = [
      {
        id: 'backoff',
        name: 'Backoff',
        tasks: [
          {
            id: 'flaky',
            type: 'shell',
            retry: { max: 2, backoff: '4s' },
            with: { command: `n=$(cat ${counter} 2>/dev/null || echo 0); echo $((n+1)) > ${counter}; [ "$n" -ge 1 ]` },
          },
          { id: 'after', type: 'log', needs: ['flaky'], with: { message: 'after' } },
        ],
      },
      {
        id: 'deadline',
        name: 'Deadline',
        timeout: '6s',
        tasks: [{ id: 'long', type: 'shell', retry: { max: 5, backoff: '0s' }, with: { command: `echo $$ > ${pidFile}; sleep 60` } }],
      },
    ];
    for (const definition of definitions) expect((await call('PUT', `/v1/workflows/${definition.id}`, definition)).status).toBe(201);
    const backoff = (await call('POST', '/v1/workflows/backoff/run', {})).body.executionId as string;
    const deadline = (await call('POST', '/v1/workflows/deadline/run', {})).body.executionId as string;
    const runsOf = async (id: string) => (await call('GET', `/v1/executions/${id}`)).body.taskRuns as RunView[];
    await waitFor(async () => {
      const [a, b] = await Promise.all([runsOf(backoff), runsOf(deadline)]);
      const retryWaits = a.some((r) => r.taskId === 'flaky' && r.attempt === 2 && r.status === 'pending');
      return retryWaits && b.some((r) => r.status === 'running') && fs.existsSync(pidFile) ? true : undefined;
    }, 'a retry waiting for its backoff and a long task running');
    const pgid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(processGroupAlive(pgid)).toBe(true);

    started.child.kill('SIGKILL');
    await new Promise((r) => started.child.once('exit', r));
    // The guard of the task's process group kills it with the server: nothing outlives the worker.
    await waitFor(() => (processGroupAlive(pgid) ? undefined : true), 'the killed server’s task processes to be gone', 5000);

    started = await processes.startServer(env(dataDir));
    const ended = (id: string) =>
      waitFor(
        async () => {
          const e = (await call('GET', `/v1/executions/${id}`)).body;
          return ['completed', 'failed', 'timed_out', 'cancelled'].includes(e.status as string) ? e : undefined;
        },
        `execution ${id} to end`,
        30_000,
      );
    const [b, d] = await Promise.all([ended(backoff), ended(deadline)]);

    expect(b.status).toBe('completed');
    const flaky = (b.taskRuns as RunView[]).filter((r) => r.taskId === 'flaky');
    expect(flaky.map((r) => [r.attempt, r.status, r.error?.code ?? null])).toEqual([
      [1, 'failed', 'EXIT_CODE'],
      [2, 'succeeded', null],
    ]);
    // The retry started no earlier than its backoff allowed, although the process that scheduled it died.
    expect(Date.parse(flaky[1]!.startedAt!) - Date.parse(flaky[0]!.completedAt!)).toBeGreaterThanOrEqual(4000);

    expect(d.status).toBe('timed_out');
    expect(d.error).toMatchObject({ code: 'EXECUTION_TIMEOUT' });
    const elapsed = Date.parse(d.completedAt as string) - Date.parse(d.createdAt as string);
    expect(elapsed).toBeGreaterThanOrEqual(6000);
    expect(elapsed).toBeLessThan(15_000);
    const long = (d.taskRuns as RunView[]).map((r) => [r.attempt, r.status, r.error?.code ?? null]);
    expect(long[0]).toEqual([1, 'failed', 'LEASE_EXPIRED']);
    expect(long.slice(1).every(([, status]) => status === 'timed_out' || status === 'cancelled' || status === 'failed')).toBe(true);
    expect((await call('GET', '/v1/executions?status=running,pending,waiting')).body.items).toEqual([]);

    // One process per SQLite data directory: a second server or a worker refuses to start.
    for (const args of [['serve', '--port', '0'], ['worker']]) {
      const second = runCli(args, { env: env(dataDir), timeoutMs: 30_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/another Runledger process \(runledger serve, pid \d+\) already uses the data directory/);
    }

    // A crash right after terminal states committed loses none of their logs (flushed before the commit).
    started.child.kill('SIGKILL');
    await new Promise((r) => started.child.once('exit', r));
    const db = new Database(path.join(dataDir, 'runledger.db'), { readonly: true });
    try {
      for (const id of [backoff, deadline]) {
        const { log_entry_count: count } = db.prepare('select log_entry_count from executions where id = ?').get(id) as {
          log_entry_count: number;
        };
        const lines = db.prepare('select seq, message from execution_logs where execution_id = ? order by seq').all(id) as {
          seq: number;
          message: string;
        }[];
        expect(lines.length).toBe(count);
        expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
        expect(lines.at(-1)?.message).toMatch(/execution (completed|timed_out)/);
      }
    } finally {
      db.close();
    }
  }, 90_000);
});
