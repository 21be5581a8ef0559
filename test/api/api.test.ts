import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const helloYaml = `id: hello
name: Hello
inputs:
  name: { type: string, default: world }
  count: { type: integer, default: 1 }
tasks:
  - id: greet
    type: shell
    with: { command: "echo hello {{ inputs.name }}" }
`;

describeEachDialect('REST API', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('serves health, readiness and the OpenAPI document without a token', async () => {
    expect(await h.api('GET', '/healthz', undefined, null)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await h.api('GET', '/readyz', undefined, null)).toMatchObject({ status: 200, body: { status: 'ready', store: dialect } });
    const doc = await h.api<{ openapi: string; paths: Record<string, unknown> }>('GET', '/docs/json', undefined, null);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/workflows/{id}/run', '/v1/executions/{id}', '/v1/executions/{id}/tasks/{taskRunId}/complete']),
    );
  });

  it('answers 401 problem+json for missing, malformed, forged and unknown tokens', async () => {
    for (const token of [null, 'garbage', `${h.adminToken.slice(0, -2)}xx`, 'rl_notarealtoken']) {
      const res = await h.api<Record<string, unknown>>('GET', '/v1/workflows', undefined, token);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    }
    // unknown routes under /v1 do not reveal themselves to anonymous callers
    expect((await h.api('GET', '/v1/nope', undefined, null)).status).toBe(401);
    expect(await h.api('GET', '/v1/nope')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('signs in, and rejects wrong credentials with the same answer for unknown users', async () => {
    const ok = await h.api<{ token: string; user: { username: string; role: string } }>(
      'POST',
      '/v1/auth/login',
      { username: 'admin', password: 'correct horse battery' },
      null,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect((await h.api('GET', '/v1/me', undefined, ok.body.token)).body).toMatchObject({ username: 'admin', role: 'admin', via: 'user' });
    const wrong = await h.api('POST', '/v1/auth/login', { username: 'admin', password: 'nope' }, null);
    const unknown = await h.api('POST', '/v1/auth/login', { username: 'ghost', password: 'nope' }, null);
    expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect(unknown.body).toEqual(wrong.body);
    expect(await h.api('POST', '/v1/auth/login', { username: 'admin' }, null)).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', detail: expect.stringContaining('body.password') },
    });
  });

  it('issues API tokens, records their use, and stops accepting them once revoked or expired', async () => {
    const created = await h.api<{ id: string; token: string; prefix: string }>('POST', '/v1/tokens', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^rl_/);
    expect((await h.api('GET', '/v1/me', undefined, created.body.token)).body).toMatchObject({ username: 'admin', via: 'token' });
    const listed = await h.api<{ items: { id: string; lastUsedAt: string | null; token?: string }[] }>('GET', '/v1/tokens');
    const mine = listed.body.items.find((t) => t.id === created.body.id)!;
    expect(mine.lastUsedAt).not.toBeNull();
    expect(mine.token).toBeUndefined();
    // kept to the minute: a second use right after is not written again
    expect((await h.api('GET', '/v1/me', undefined, created.body.token)).status).toBe(200);
    const again = (await h.api<{ items: { id: string; lastUsedAt: string | null }[] }>('GET', '/v1/tokens')).body.items;
    expect(again.find((t) => t.id === created.body.id)!.lastUsedAt).toBe(mine.lastUsedAt);
    expect((await h.api('DELETE', `/v1/tokens/${created.body.id}`)).status).toBe(204);
    expect((await h.api('GET', '/v1/me', undefined, created.body.token)).status).toBe(401);
    expect((await h.api('DELETE', `/v1/tokens/${created.body.id}`)).status).toBe(404);
    expect(await h.api('POST', '/v1/tokens', { name: 'old', expiresAt: '2020-01-01T00:00:00Z' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    const me = (await h.api<{ id: string }>('GET', '/v1/me')).body.id;
    const expired = { body: await h.auth.createApiToken(me, 'old', '2020-01-01T00:00:00.000Z') };
    expect((await h.api('GET', '/v1/me', undefined, expired.body.token)).status).toBe(401);
  });

  it('creates workflows from YAML or JSON, versions every change, and is idempotent', async () => {
    const created = await h.api<{ id: string; version: number }>('POST', '/v1/workflows', helloYaml);
    expect(created).toMatchObject({ status: 201, body: { id: 'hello', version: 1, latestVersion: 1 } });
    expect(await h.api('POST', '/v1/workflows', helloYaml)).toMatchObject({ status: 409, body: { code: 'WORKFLOW_EXISTS' } });
    expect(await h.api('PUT', '/v1/workflows/hello', helloYaml)).toMatchObject({ status: 200, body: { version: 1, changed: false } });
    const changed = await h.api('PUT', '/v1/workflows/hello', helloYaml.replace('name: Hello', 'name: Hello again'));
    expect(changed).toMatchObject({ status: 200, body: { version: 2, changed: true, name: 'Hello again' } });
    const versions = await h.api<{ items: { version: number; sourceFormat: string; source: string }[] }>(
      'GET',
      '/v1/workflows/hello/versions',
    );
    expect(versions.body.items.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.body.items[1]?.source).toBe(helloYaml);
    expect((await h.api<{ items: unknown[] }>('GET', '/v1/workflows')).body.items).toHaveLength(1);
    expect(await h.api('GET', '/v1/workflows/hello')).toMatchObject({ status: 200, body: { definition: { name: 'Hello again' } } });
    expect(await h.api('PUT', '/v1/workflows/other', helloYaml)).toMatchObject({ status: 400, body: { code: 'INVALID_DEFINITION' } });

    // an execution records the version it ran
    const run = await h.api<{ executionId: string }>('POST', '/v1/workflows/hello/run', { inputs: { name: 'v2' } });
    await h.engine.waitForExecution(run.body.executionId);
    expect((await h.api('GET', `/v1/executions/${run.body.executionId}`)).body).toMatchObject({ workflowVersion: 2 });

    expect((await h.api('DELETE', '/v1/workflows/hello')).status).toBe(204);
    expect(await h.api('GET', '/v1/workflows/hello')).toMatchObject({ status: 404, body: { code: 'WORKFLOW_NOT_FOUND' } });
    expect((await h.api('GET', `/v1/executions/${run.body.executionId}`)).status).toBe(200);
  });

  it('rejects bad definitions with errors that name the path', async () => {
    const res = await h.api<{ code: string; details: { problems: string[] } }>('POST', '/v1/workflows', {
      id: 'bad',
      name: 'Bad',
      tasks: [
        { id: 'build', type: 'shell', with: { command: 'make' } },
        { id: 'test', type: 'shell', needs: ['build'], with: { command: 'make test' } },
        { id: 'ship', type: 'shell', needs: ['biuld'], with: { command: 'ship' } },
        { id: 'x', type: 'teleport' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_DEFINITION');
    expect(res.body.details.problems).toContain('tasks[2].needs: unknown task "biuld"');
    expect(res.body.details.problems.some((p) => p.startsWith('tasks[3].type:'))).toBe(true);
    const cycle = await h.api<{ details: { problems: string[] } }>('POST', '/v1/workflows', {
      id: 'loop',
      name: 'Loop',
      tasks: [
        { id: 'a', type: 'log', needs: ['b'], with: { message: 'a' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'b' } },
      ],
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.details.problems.join('\n')).toMatch(/cycle/);
    const yamlError = await h.api<{ code: string }>('POST', '/v1/workflows', 'id: [unclosed');
    expect(yamlError).toMatchObject({ status: 400, body: { code: 'INVALID_DEFINITION' } });
  });

  it('answers run requests with 202 and rejects bad ones with clear errors', async () => {
    await h.api('POST', '/v1/workflows', helloYaml);
    const run = await h.api<{ executionId: string }>('POST', '/v1/workflows/hello/run', {
      inputs: { name: 'ada' },
      title: 'first',
      correlationId: 'req-1',
    });
    expect(run.status).toBe(202);
    expect(run.headers.location).toBe(`/v1/executions/${run.body.executionId}`);
    await h.engine.waitForExecution(run.body.executionId);
    const e = (
      await h.api<ExecutionView & { title: string; correlationId: string; triggeredBy: string; trigger: string }>(
        'GET',
        `/v1/executions/${run.body.executionId}`,
      )
    ).body;
    expect(e).toMatchObject({
      status: 'completed',
      title: 'first',
      correlationId: 'req-1',
      trigger: 'api',
      inputs: { name: 'ada', count: 1 },
    });
    expect(e.triggeredBy).toMatch(/^[0-9a-f-]{36}$/);
    expect((e as unknown as { triggeredByUsername: string }).triggeredByUsername).toBe('admin');
    expect(e.taskRuns[0]).toMatchObject({
      taskId: 'greet',
      type: 'shell',
      attempt: 1,
      status: 'succeeded',
      input: { command: 'echo hello ada' },
    });
    expect(e.taskRuns[0]?.durationMs).toBeGreaterThanOrEqual(0);

    expect(await h.api('POST', '/v1/workflows/nope/run', {})).toMatchObject({ status: 404, body: { code: 'WORKFLOW_NOT_FOUND' } });
    expect(await h.api('POST', '/v1/workflows/hello/run', { inputs: { count: 'many' } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_INPUTS', detail: expect.stringContaining('inputs.count') },
    });
    expect(await h.api('POST', '/v1/workflows/hello/run', { inputs: { unknown: 1 } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_INPUTS' },
    });
    expect(await h.api('POST', '/v1/workflows/hello/run', { inputs: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', detail: expect.stringContaining('body.inputs') },
    });
    expect(await h.api('POST', '/v1/workflows/hello/run', { surprise: true })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    const huge = await h.app.inject({
      method: 'POST',
      url: '/v1/workflows/hello/run',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ inputs: { name: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const broken = await h.app.inject({
      method: 'POST',
      url: '/v1/workflows/hello/run',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      payload: '{"inputs":',
    });
    expect(broken.statusCode).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('takes a run request with no body, or an empty JSON body, as {}', async () => {
    await h.api('POST', '/v1/workflows', helloYaml);
    const auth = { authorization: `Bearer ${h.adminToken}` };
    for (const headers of [auth, { ...auth, 'content-type': 'application/json' }]) {
      const run = await h.app.inject({ method: 'POST', url: '/v1/workflows/hello/run', headers });
      expect(run.statusCode, run.body).toBe(202);
      const { executionId } = JSON.parse(run.body) as { executionId: string };
      await h.engine.waitForExecution(executionId);
      expect((await h.api<ExecutionView>('GET', `/v1/executions/${executionId}`)).body).toMatchObject({
        status: 'completed',
        inputs: { name: 'world' },
      });
    }
  });

  it('answers 404 for unknown executions and 400 for ids that are not UUIDs', async () => {
    expect(await h.api('GET', `/v1/executions/${newId()}`)).toMatchObject({ status: 404, body: { code: 'EXECUTION_NOT_FOUND' } });
    expect(await h.api('GET', '/v1/executions/not-a-uuid')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', detail: expect.stringContaining('params.id') },
    });
    expect(await h.api('POST', `/v1/executions/${newId()}/cancel`, {})).toMatchObject({
      status: 404,
      body: { code: 'EXECUTION_NOT_FOUND' },
    });
    expect(await h.api('GET', '/v1/executions?status=bogus')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await h.api('GET', '/v1/executions?limit=0')).toMatchObject({ status: 400 });
    expect(await h.api('GET', '/v1/executions?from=yesterday')).toMatchObject({ status: 400 });
  });

  it('lists executions newest first, filtered, with a cursor; members see only their own', async () => {
    await h.api('POST', '/v1/workflows', helloYaml);
    await h.api('POST', '/v1/workflows', { id: 'other', name: 'Other', tasks: [{ id: 'x', type: 'shell', with: { command: 'exit 1' } }] });
    const ids: string[] = [];
    for (const wf of ['hello', 'other', 'hello', 'hello']) {
      const { body } = await h.api<{ executionId: string }>('POST', `/v1/workflows/${wf}/run`, {});
      ids.push(body.executionId);
      await h.engine.waitForExecution(body.executionId);
    }
    type Page = { items: { id: string; status: string; workflowId: string }[]; nextCursor: string | null };
    const page1 = await h.api<Page>('GET', '/v1/executions?limit=2');
    expect(page1.body.items.map((e) => e.id)).toEqual([ids[3], ids[2]]);
    const page2 = await h.api<Page>('GET', `/v1/executions?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((e) => e.id)).toEqual([ids[1], ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await h.api<Page>('GET', '/v1/executions?status=failed')).body.items.map((e) => e.id)).toEqual([ids[1]]);
    expect((await h.api<Page>('GET', '/v1/executions?status=completed,failed&workflow=other')).body.items.map((e) => e.id)).toEqual([
      ids[1],
    ]);
    expect((await h.api<Page>('GET', '/v1/workflows/hello/executions')).body.items.map((e) => e.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect(
      (await h.api<Page>('GET', `/v1/executions?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items,
    ).toEqual([]);

    // a member sees only what they triggered, and others' executions are "not found"
    const { hashPassword } = await import('../../src/auth/passwords.ts');
    const { insertUser } = await import('../../src/store/user-repository.ts');
    await insertUser(h.store.db, {
      id: newId(),
      username: 'mia',
      passwordHash: await hashPassword('mia-password'),
      role: 'member',
      now: new Date().toISOString(),
    });
    const mia = (await h.api<{ token: string }>('POST', '/v1/auth/login', { username: 'mia', password: 'mia-password' }, null)).body.token;
    expect((await h.api<Page>('GET', '/v1/executions', undefined, mia)).body.items).toEqual([]);
    expect((await h.api('GET', `/v1/executions/${ids[0]}`, undefined, mia)).status).toBe(404);
    const own = await h.api<{ executionId: string }>('POST', '/v1/workflows/hello/run', {}, mia);
    await h.engine.waitForExecution(own.body.executionId);
    expect((await h.api<Page>('GET', '/v1/executions', undefined, mia)).body.items.map((e) => e.id)).toEqual([own.body.executionId]);
  });
});
