import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect, tempDir } from '../support/stores.ts';

let server: http.Server;
let baseUrl: string;
const pluginDir = tempDir('runledger-plugins-');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/fail') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' });
      res.end(
        JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body: body ? JSON.parse(body) : null }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fs.mkdirSync(path.join(pluginDir, 'acme'));
  fs.writeFileSync(
    path.join(pluginDir, 'acme', 'greeter'),
    `#!/usr/bin/env node
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  console.log(JSON.stringify({ type: 'log', level: 'WARN', message: 'about to greet' }));
  console.log('plain text line');
  console.log(JSON.stringify({ type: 'output', output: { greeting: 'hello ' + req.input.name, action: req.action } }));
  process.exit(req.input.name === 'nobody' ? 4 : 0);
});
`,
    { mode: 0o755 },
  );
});
afterAll(() => {
  server.close();
  fs.rmSync(pluginDir, { recursive: true, force: true });
});

async function logLines(
  h: Harness,
  executionId: string,
): Promise<{ level: string; source: string; message: string; task_run_id: string | null }[]> {
  await h.logs.flush();
  return h.store.db
    .selectFrom('execution_logs')
    .select(['level', 'source', 'message', 'task_run_id'])
    .where('execution_id', '=', executionId)
    .orderBy('seq')
    .execute();
}

function run(e: ExecutionView, taskId: string) {
  const r = e.taskRuns.filter((x) => x.taskId === taskId).at(-1);
  if (!r) throw new Error(`no run of ${taskId}`);
  return r;
}

describeEachDialect('task types', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, { pluginDirs: [pluginDir] });
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('shell: captures stdout and stderr line by line; a non-zero exit fails', async () => {
    await h.apply({
      id: 'sh',
      name: 'Shell',
      tasks: [
        { id: 'ok', type: 'shell', with: { command: 'echo one; echo two >&2; echo three' } },
        { id: 'bad', type: 'shell', needs: ['ok'], with: { command: 'echo failing; exit 3' } },
      ],
    });
    const e = await h.runToEnd('sh');
    expect(e.status).toBe('failed');
    expect(run(e, 'ok')).toMatchObject({ status: 'succeeded', output: { exitCode: 0, stdout: 'one\nthree', stderr: 'two' } });
    expect(run(e, 'bad')).toMatchObject({ status: 'failed', output: { exitCode: 3 }, error: { type: 'task', code: 'EXIT_CODE' } });
    expect(e.error).toMatchObject({ code: 'TASK_FAILED', message: expect.stringContaining('task bad failed') });
    const lines = await logLines(h, e.id);
    const okRun = run(e, 'ok').id;
    const of = (source: string) => lines.filter((l) => l.task_run_id === okRun && l.source === source).map((l) => [l.level, l.message]);
    // stdout and stderr are separate pipes: order within each is kept, not across them
    expect(of('task:ok:stdout')).toEqual([
      ['INFO', 'one'],
      ['INFO', 'three'],
    ]);
    expect(of('task:ok:stderr')).toEqual([['INFO', 'two']]);
  });

  it('http: method, headers, JSON body; non-2xx fails unless allowed', async () => {
    await h.apply({
      id: 'web',
      name: 'HTTP',
      tasks: [
        {
          id: 'post',
          type: 'http',
          with: { method: 'POST', url: `${baseUrl}/items`, headers: { authorization: 'Bearer abc' }, body: { n: 1 } },
        },
        { id: 'allowed', type: 'http', with: { url: `${baseUrl}/fail`, allowStatus: [503] } },
        { id: 'down', type: 'http', needs: ['post'], with: { url: `${baseUrl}/fail` } },
      ],
    });
    const e = await h.runToEnd('web');
    expect(run(e, 'post')).toMatchObject({
      status: 'succeeded',
      output: { status: 200, headers: { 'x-echo': 'yes' }, body: { method: 'POST', url: '/items', auth: 'Bearer abc', body: { n: 1 } } },
    });
    expect(run(e, 'allowed')).toMatchObject({ status: 'succeeded', output: { status: 503, body: 'down for maintenance' } });
    expect(run(e, 'down')).toMatchObject({ status: 'failed', error: { code: 'HTTP_STATUS' }, output: { status: 503 } });
    expect(e.status).toBe('failed');
  });

  it('log and sleep', async () => {
    await h.apply({
      id: 'ls',
      name: 'Log and sleep',
      inputs: { who: { type: 'string', required: true } },
      tasks: [
        { id: 'nap', type: 'sleep', with: { duration: '150ms' } },
        { id: 'say', type: 'log', needs: ['nap'], with: { level: 'WARN', message: 'hi {{ inputs.who }}' } },
      ],
    });
    const e = await h.runToEnd('ls', { who: 'grace' });
    expect(e.status).toBe('completed');
    expect(run(e, 'nap').durationMs).toBeGreaterThanOrEqual(140);
    expect(run(e, 'say').output).toEqual({ level: 'WARN', message: 'hi grace' });
    const lines = await logLines(h, e.id);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', source: 'task:say', message: 'hi grace' }));
  });

  it('plugin: JSON-line events become logs and output; plain lines are kept; the exit code decides', async () => {
    await h.apply({
      id: 'plug',
      name: 'Plugin',
      inputs: { name: { type: 'string' } },
      tasks: [{ id: 'greet', type: 'plugin', with: { plugin: 'acme/greeter', action: 'greet', input: { name: '{{ inputs.name }}' } } }],
    });
    const ok = await h.runToEnd('plug', { name: 'ada' });
    expect(run(ok, 'greet')).toMatchObject({ status: 'succeeded', output: { greeting: 'hello ada', action: 'greet' } });
    const lines = await logLines(h, ok.id);
    const pluginLines = lines.filter((l) => l.source === 'plugin:acme/greeter.greet').map((l) => [l.level, l.message]);
    expect(pluginLines).toEqual([
      ['WARN', 'about to greet'],
      ['INFO', 'plain text line'],
    ]);
    const bad = await h.runToEnd('plug', { name: 'nobody' });
    expect(run(bad, 'greet')).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_FAILED' } });
  });

  it('manual: the step waits, the execution waits, a person completes it through the API', async () => {
    await h.apply({
      id: 'man',
      name: 'Manual',
      tasks: [
        { id: 'check', type: 'manual', with: { description: 'Look at the dashboard' } },
        { id: 'after', type: 'log', needs: ['check'], with: { message: 'checked' } },
      ],
    });
    const started = await h.api<{ executionId: string }>('POST', '/v1/workflows/man/run', {});
    const id = started.body.executionId;
    let e: ExecutionView | undefined;
    for (let i = 0; i < 100; i++) {
      e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
      if (e.status === 'waiting') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(e?.status).toBe('waiting');
    const step = run(e!, 'check');
    expect(step).toMatchObject({ status: 'waiting', input: { description: 'Look at the dashboard' } });
    const bad = await h.api('POST', `/v1/executions/${id}/steps/${step.id}/complete`, { status: 'done' });
    expect(bad.status).toBe(400);
    const done = await h.api('POST', `/v1/executions/${id}/steps/${step.id}/complete`, { status: 'succeeded', notes: 'all green' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'succeeded', notes: 'all green', output: { completedBy: 'admin', notes: 'all green' } });
    const again = await h.api('POST', `/v1/executions/${id}/steps/${step.id}/complete`, { status: 'succeeded' });
    expect(again).toMatchObject({ status: 409, body: { code: 'INVALID_STATE' } });
    await h.engine.waitForExecution(id);
    const final = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
    expect(final.status).toBe('completed');
    expect(run(final, 'after').status).toBe('succeeded');
  });

  it('manual: marked failed with notes fails the execution', async () => {
    await h.apply({ id: 'man2', name: 'Manual 2', tasks: [{ id: 'check', type: 'manual' }] });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/man2/run', {});
    let step;
    for (let i = 0; i < 100 && !step; i++) {
      const e = (await h.api<ExecutionView>('GET', `/v1/executions/${body.executionId}`)).body;
      step = e.taskRuns.find((r) => r.status === 'waiting');
      if (!step) await new Promise((r) => setTimeout(r, 20));
    }
    await h.api('POST', `/v1/executions/${body.executionId}/steps/${step?.id}/complete`, { status: 'failed', notes: 'disk full' });
    await h.engine.waitForExecution(body.executionId);
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${body.executionId}`)).body;
    expect(e.status).toBe('failed');
    expect(run(e, 'check').error).toMatchObject({ code: 'MANUAL_STEP_FAILED', message: 'marked failed by admin: disk full' });
  });
});
