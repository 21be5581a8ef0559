import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

const BIN = path.resolve('bin/runledger.js');

function env(dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RUNLEDGER_DATA_DIR: dataDir,
    RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery',
    RUNLEDGER_LOG_LEVEL: 'silent',
    RUNLEDGER_LEASE_DURATION: '2s',
    RUNLEDGER_WORKER_POLL_INTERVAL: '200ms',
  };
}

function startServer(dataDir: string): ChildProcess {
  fs.rmSync(path.join(dataDir, 'server.json'), { force: true });
  return spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
}

async function serverUrl(dataDir: string): Promise<string> {
  return waitFor(() => {
    const file = path.join(dataDir, 'server.json');
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined;
  }, 'the server to listen');
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
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
  let server: ChildProcess | undefined;

  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a retry and a running deadline on restart with the backoff and the deadline honoured, leaving no task process behind', async () => {
    server = startServer(dataDir);
    let url = await serverUrl(dataDir);
    const token = fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim();
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
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
    expect(alive(pgid)).toBe(true);

    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    // The guard of the task's process group kills it with the server: nothing outlives the worker.
    await waitFor(() => (alive(pgid) ? undefined : true), 'the killed server’s task processes to be gone', 5000);

    server = startServer(dataDir);
    url = await serverUrl(dataDir);
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
      const second = spawnSync(process.execPath, [BIN, ...args], { env: env(dataDir), encoding: 'utf8', timeout: 30_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/another Runledger process \(runledger serve, pid \d+\) already uses the data directory/);
    }

    // A crash right after terminal states committed loses none of their logs (flushed before the commit).
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    server = undefined;
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
