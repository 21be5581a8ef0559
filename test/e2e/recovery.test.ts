import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

const BIN = path.resolve('bin/runledger.js');

function startServer(dataDir: string): ChildProcess {
  fs.rmSync(path.join(dataDir, 'server.json'), { force: true });
  return spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, RUNLEDGER_DATA_DIR: dataDir, RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery', RUNLEDGER_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function serverUrl(dataDir: string): Promise<string> {
  return waitFor(() => {
    const file = path.join(dataDir, 'server.json');
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined;
  }, 'the server to listen');
}

describe('recovery after SIGKILL', () => {
  const dataDir = tempDir();
  const marker = path.join(dataDir, 'first-attempt-started');
  const pidFile = path.join(dataDir, 'orphan.pid');
  let server: ChildProcess | undefined;

  afterAll(() => {
    server?.kill('SIGKILL');
    // the first attempt's shell outlived the killed server (it leads its own process group)
    try {
      process.kill(-Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends lost attempts as process_lost, retries them where allowed, and leaves nothing running', async () => {
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
    const command = `if [ -f ${marker} ]; then echo second attempt; else echo $$ > ${pidFile}; touch ${marker}; sleep 30; fi`;
    for (const [id, retry] of [
      ['resilient', { max: 2, backoff: '100ms' }],
      ['fragile', undefined],
    ] as const) {
      const res = await call('PUT', `/v1/workflows/${id}`, {
        id,
        name: id,
        tasks: [
          { id: 'work', type: 'shell', ...(retry ? { retry } : {}), with: { command: id === 'fragile' ? 'sleep 30' : command } },
          { id: 'after', type: 'log', needs: ['work'], with: { message: 'after' } },
        ],
      });
      expect(res.status).toBe(201);
    }
    const resilient = (await call('POST', '/v1/workflows/resilient/run', {})).body.executionId as string;
    const fragile = (await call('POST', '/v1/workflows/fragile/run', {})).body.executionId as string;
    await waitFor(async () => {
      const [a, b] = await Promise.all([call('GET', `/v1/executions/${resilient}`), call('GET', `/v1/executions/${fragile}`)]);
      const running = (e: Record<string, unknown>) => (e.taskRuns as { status: string }[]).some((r) => r.status === 'running');
      return running(a.body) && running(b.body) && fs.existsSync(marker) ? true : undefined;
    }, 'both tasks to run');

    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));

    server = startServer(dataDir);
    url = await serverUrl(dataDir);
    const ended = (id: string) =>
      waitFor(async () => {
        const e = (await call('GET', `/v1/executions/${id}`)).body;
        return ['completed', 'failed'].includes(e.status as string) ? e : undefined;
      }, `execution ${id} to end`);
    const [r, f] = await Promise.all([ended(resilient), ended(fragile)]);

    const runs = (e: Record<string, unknown>) =>
      (e.taskRuns as { taskId: string; attempt: number; status: string; error: { code: string } | null }[]).map((x) => [
        x.taskId,
        x.attempt,
        x.status,
        x.error?.code ?? null,
      ]);
    expect(r.status).toBe('completed');
    const sorted = (e: Record<string, unknown>) => runs(e).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    expect(sorted(r)).toEqual([
      ['after', 1, 'succeeded', null],
      ['work', 1, 'failed', 'process_lost'],
      ['work', 2, 'succeeded', null],
    ]);
    expect(f.status).toBe('failed');
    expect(runs(f)).toEqual([
      ['work', 1, 'failed', 'process_lost'],
      ['after', 1, 'skipped', 'DEPENDENCY_FAILED'],
    ]);
    const list = (await call('GET', '/v1/executions?status=running,pending,waiting')).body;
    expect(list.items).toEqual([]);

    // a crash right after terminal states committed loses none of their logs (flushed before the commit)
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    server = undefined;
    const db = new Database(path.join(dataDir, 'runledger.db'), { readonly: true });
    try {
      for (const id of [resilient, fragile]) {
        const { log_entry_count: count } = db.prepare('select log_entry_count from executions where id = ?').get(id) as {
          log_entry_count: number;
        };
        const lines = db.prepare('select seq, message from execution_logs where execution_id = ? order by seq').all(id) as {
          seq: number;
          message: string;
        }[];
        expect(lines.length).toBe(count);
        expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
        expect(lines.at(-1)?.message).toMatch(/execution (completed|failed)/);
        expect(lines.some((l) => l.message.includes('process_lost'))).toBe(true);
      }
    } finally {
      db.close();
    }
  });
});
