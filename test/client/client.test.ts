import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { ApiError } from '../../src/client/api-error.ts';
import {
  credentialsFile,
  DEFAULT_SERVER,
  readStoredCredentials,
  resolveCredentials,
  writeStoredCredentials,
} from '../../src/client/credentials.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { loadConfig } from '../../src/config.ts';

const ADMIN_PASSWORD = 'correct horse battery';

interface Sent {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A transport that records requests and answers with a fixed Response (the network, not our code). */
function recordingFetch(answer: (url: URL) => Response | Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    sent.push({
      url,
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    return answer(url);
  }) as typeof fetch;
  return { fetch: fake, sent };
}

function problem(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify({ type: 'https://runledger.dev/errors/x', title: 'T', status, ...body }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e: unknown) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('ApiError mapping', () => {
  it('maps problem+json to status, code, detail and problems', async () => {
    const notFound = recordingFetch(() =>
      problem(404, { code: 'EXECUTION_NOT_FOUND', detail: 'Execution 0190 not found', details: { id: '0190' } }),
    );
    const e404 = await caught(new RunledgerClient({ server: 'http://rl.test', fetch: notFound.fetch }).getExecution('0190'));
    expect(e404).toMatchObject({
      name: 'ApiError',
      status: 404,
      code: 'EXECUTION_NOT_FOUND',
      detail: 'Execution 0190 not found',
      message: 'Execution 0190 not found',
      problems: [],
    });

    const invalid = recordingFetch(() =>
      problem(400, {
        code: 'VALIDATION_FAILED',
        detail: 'body.status: bad; body.notes: long',
        problems: ['body.status: bad', 'body.notes: long'],
      }),
    );
    const e400 = await caught(
      new RunledgerClient({ server: 'http://rl.test', fetch: invalid.fetch }).completeStep('a', 'b', { status: 'succeeded' }),
    );
    expect(e400).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', problems: ['body.status: bad', 'body.notes: long'] });

    // Definition and input errors carry their list under `details.problems`.
    const inputs = recordingFetch(() =>
      problem(400, { code: 'INVALID_INPUTS', detail: 'count: not a number', details: { problems: ['count: not a number'] } }),
    );
    const eInputs = await caught(new RunledgerClient({ server: 'http://rl.test', fetch: inputs.fetch }).runWorkflow('hello'));
    expect(eInputs).toMatchObject({ code: 'INVALID_INPUTS', problems: ['count: not a number'] });
  });

  it('reads Retry-After, in seconds or as an HTTP date, into retryAfterSeconds', async () => {
    const locked = (retryAfter: string | undefined) =>
      recordingFetch(
        () =>
          new Response(JSON.stringify({ code: 'TOO_MANY_ATTEMPTS', detail: 'Too many failed sign-in attempts; try again in 900 s' }), {
            status: 429,
            headers: { 'content-type': 'application/problem+json', ...(retryAfter && { 'retry-after': retryAfter }) },
          }),
      ).fetch;
    const login = (retryAfter: string | undefined) =>
      caught(new RunledgerClient({ server: 'http://rl.test', fetch: locked(retryAfter) }).login('ada', 'x'));
    expect(await login('900')).toMatchObject({ status: 429, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 900 });
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect((await login(inAMinute)).retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect((await login(inAMinute)).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await login('soon')).retryAfterSeconds).toBeUndefined();
    expect((await login(undefined)).retryAfterSeconds).toBeUndefined();
  });

  it('gives a one-line reason for answers that are not problem+json', async () => {
    const proxy = recordingFetch(
      () =>
        new Response('<html>\nBad gateway\n</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }),
    );
    const e = await caught(new RunledgerClient({ server: 'http://rl.test', fetch: proxy.fetch }).listWorkflows());
    expect(e).toMatchObject({ status: 502, code: 'HTTP_502', detail: 'HTTP 502 Bad Gateway: <html>' });
  });

  it('reports a network failure as SERVER_UNREACHABLE naming the server and `runledger serve`', async () => {
    const refused = recordingFetch(() => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    });
    const e = await caught(new RunledgerClient({ server: 'http://rl.test:9', fetch: refused.fetch }).me());
    expect(e).toMatchObject({ status: 0, code: 'SERVER_UNREACHABLE' });
    expect(e.detail).toContain('http://rl.test:9 (ECONNREFUSED)');
    expect(e.detail).toContain('runledger serve');

    // and through the real global fetch, against a port nobody listens on
    const server = `http://127.0.0.1:${await freePort()}`;
    const real = await caught(new RunledgerClient({ server }).health());
    expect(real.code).toBe('SERVER_UNREACHABLE');
    expect(real.detail).toContain(server);
  });

  it('refuses a server that is not an http(s) URL', () => {
    expect(() => new RunledgerClient({ server: 'localhost:8080' })).toThrow(expect.objectContaining({ code: 'INVALID_SERVER_URL' }));
    expect(() => new RunledgerClient({ server: 'not a url' })).toThrow(ApiError);
  });
});

describe('RunledgerClient requests', () => {
  it('applies YAML and JSON under the id the source declares, with its media type', async () => {
    const t = recordingFetch(
      () =>
        new Response(JSON.stringify({ id: 'hello', version: 1, changed: true }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const c = new RunledgerClient({ server: 'http://rl.test/v1/', token: 'tok', fetch: t.fetch });
    expect(await c.applyWorkflow('id: hello\nname: Hi\ntasks: []\n', 'yaml')).toMatchObject({ id: 'hello', created: true });
    await c.applyWorkflow('{"id": "hello_json", "name": "Hi"}', 'json');
    expect(t.sent.map((s) => [s.method, s.url.href, s.headers['content-type'], s.headers.authorization])).toEqual([
      ['PUT', 'http://rl.test/v1/workflows/hello', 'application/yaml', 'Bearer tok'],
      ['PUT', 'http://rl.test/v1/workflows/hello_json', 'application/json', 'Bearer tok'],
    ]);
    expect(t.sent[0]!.body).toBe('id: hello\nname: Hi\ntasks: []\n');

    const noId = await caught(c.applyWorkflow('name: nameless\n', 'yaml'));
    expect(noId).toMatchObject({ status: 0, code: 'INVALID_DEFINITION' });
    expect(t.sent).toHaveLength(2);
  });

  it('sends the trigger header and encodes execution filters', async () => {
    const t = recordingFetch(
      () => new Response(JSON.stringify({ items: [], nextCursor: null }), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const c = new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch });
    await c.runWorkflow('hello', { inputs: { name: 'Ada' }, title: 'T' }, { trigger: 'cli' });
    await c.listExecutions({ status: ['failed', 'timed_out'], workflow: 'hello', from: '2025-01-01', limit: 5 });
    await c.listWorkflowExecutions('hello', { cursor: 'c1' });
    expect(t.sent[0]!.headers['x-runledger-trigger']).toBe('cli');
    expect(t.sent[0]!.headers.authorization).toBeUndefined();
    expect(JSON.parse(t.sent[0]!.body!)).toEqual({ inputs: { name: 'Ada' }, title: 'T' });
    expect(Object.fromEntries(t.sent[1]!.url.searchParams)).toEqual({
      status: 'failed,timed_out',
      workflow: 'hello',
      from: '2025-01-01',
      limit: '5',
    });
    expect(t.sent[2]!.url.pathname).toBe('/v1/workflows/hello/executions');
    expect(t.sent[2]!.url.search).toBe('?cursor=c1');
  });

  it('sends keyword and input filters, counts, and the retention requests', async () => {
    const t = recordingFetch(
      (url) =>
        new Response(JSON.stringify(url.pathname.endsWith('/count') ? { count: 7 } : { items: [], nextCursor: null }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const c = new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch });
    await c.listExecutions({ keyword: 'hot fix', inputs: { server: 'web-01', region: 'eu & us' } });
    expect(await c.countExecutions({ status: ['failed'], inputs: { server: 'web-01' } })).toBe(7);
    expect(await c.countExecutions({ keyword: 'x' }, 'deploy')).toBe(7);
    await c.admin.retentionStats();
    await c.admin.cleanup({ dryRun: true, olderThanDays: 40 });
    await c.admin.cleanup();
    expect(Object.fromEntries(t.sent[0]!.url.searchParams)).toEqual({
      keyword: 'hot fix',
      'input.server': 'web-01',
      'input.region': 'eu & us',
    });
    expect(t.sent[1]!.url.pathname).toBe('/v1/executions/count');
    expect(Object.fromEntries(t.sent[1]!.url.searchParams)).toEqual({ status: 'failed', 'input.server': 'web-01' });
    expect(t.sent[2]!.url.pathname).toBe('/v1/workflows/deploy/executions/count');
    expect(t.sent.slice(3).map((r) => [r.method, r.url.pathname, r.body && JSON.parse(r.body)])).toEqual([
      ['GET', '/v1/admin/retention/stats', undefined],
      ['POST', '/v1/admin/retention/cleanup', { dryRun: true, olderThanDays: 40 }],
      ['POST', '/v1/admin/retention/cleanup', { dryRun: false }],
    ]);
  });
});

describe('RunledgerClient admin and sharing requests', () => {
  it('sends users, groups and shares to their routes, names and ids encoded', async () => {
    const t = recordingFetch(
      () => new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const c = new RunledgerClient({ server: 'http://rl.test', token: 'tok', fetch: t.fetch });
    await c.admin.listUsers();
    await c.admin.createUser({ username: 'ada', password: 'long enough', canEditWorkflows: true });
    await c.admin.updateUser('u/1', { disabled: true });
    await c.admin.listGroups();
    await c.admin.createGroup('ops');
    await c.admin.deleteGroup('g1');
    await c.admin.addGroupMember('g1', 'u1');
    await c.admin.removeGroupMember('g1', 'u1');
    await c.getShares('e1');
    await c.setShares('e1', { scope: 'shared', groups: ['ops'] });
    await c.setShares('e1', { scope: 'private' });
    expect(t.sent.map((s) => `${s.method} ${s.url.pathname}${s.body === undefined ? '' : ` ${s.body}`}`)).toEqual([
      'GET /v1/admin/users',
      'POST /v1/admin/users {"username":"ada","password":"long enough","canEditWorkflows":true}',
      'PATCH /v1/admin/users/u%2F1 {"disabled":true}',
      'GET /v1/admin/groups',
      'POST /v1/admin/groups {"name":"ops"}',
      'DELETE /v1/admin/groups/g1',
      'PUT /v1/admin/groups/g1/members/u1',
      'DELETE /v1/admin/groups/g1/members/u1',
      'GET /v1/executions/e1/shares',
      'PUT /v1/executions/e1/shares {"scope":"shared","users":[],"groups":["ops"]}',
      'PUT /v1/executions/e1/shares {"scope":"private","users":[],"groups":[]}',
    ]);
  });
});

/** A streamed answer: the chunks as they would arrive, split anywhere (mid-line, mid-character). */
function streamed(chunks: Uint8Array[], init: ResponseInit, fail?: Error): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else if (fail) controller.error(fail);
      else controller.close();
    },
  });
  return new Response(body, init);
}

describe('RunledgerClient audit requests', () => {
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

  it('sends the audit routes: verify by GET, or by POST with a checkpoint', async () => {
    const t = recordingFetch(() => json({ items: [] }));
    const c = new RunledgerClient({ server: 'http://rl.test', token: 'tok', fetch: t.fetch });
    const checkpoint = { id: 'c1', seq: 2, createdAt: 'x', reason: 'r', heads: [], prevHash: null, hash: 'h', keyId: 'k', signature: 's' };
    await c.audit.getExecution('e/1');
    await c.audit.getStepResults('e1', 't1');
    await c.audit.list({ subjectType: 'login', eventType: 'LOGIN_FAILED', limit: 5 });
    await c.audit.list();
    await c.audit.verify();
    await c.audit.verify({ execution: 'e1' });
    await c.audit.verify({ checkpoint });
    await c.audit.verify({ execution: 'e1', checkpoint });
    await c.audit.createCheckpoint();
    await c.audit.latestCheckpoint();
    expect(t.sent.map((s) => `${s.method} ${s.url.pathname}${s.url.search}${s.body === undefined ? '' : ` ${s.body}`}`)).toEqual([
      'GET /v1/executions/e%2F1/audit',
      'GET /v1/executions/e1/tasks/t1/audit',
      'GET /v1/audit?subjectType=login&eventType=LOGIN_FAILED&limit=5',
      'GET /v1/audit',
      'GET /v1/audit/verify',
      'GET /v1/audit/verify?execution=e1',
      `POST /v1/audit/verify ${JSON.stringify({ checkpoint })}`,
      `POST /v1/audit/verify ${JSON.stringify({ checkpoint, execution: 'e1' })}`,
      'POST /v1/audit/checkpoints',
      'GET /v1/audit/checkpoints/latest',
    ]);
  });

  it('streams the export line by line, however the chunks are split', async () => {
    const bytes = new TextEncoder().encode('{"n":1,"s":"é"}\n\n{"n":2}\n{"n":3}');
    // byte 13 is the second byte of é
    const chunks = [bytes.slice(0, 3), bytes.slice(3, 13), bytes.slice(13, 16), bytes.slice(16, 22), bytes.slice(22)];
    const t = recordingFetch(() => streamed(chunks, { status: 200, headers: { 'content-type': 'application/x-ndjson' } }));
    const c = new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch });
    const lines: string[] = [];
    for await (const line of await c.audit.export()) lines.push(line);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ n: 1, s: 'é' }, { n: 2 }, { n: 3 }]);
    expect(t.sent[0]).toMatchObject({ method: 'GET', headers: { accept: 'application/x-ndjson, application/problem+json' } });
    expect(t.sent[0]!.url.pathname).toBe('/v1/audit/export');
  });

  it("throws the answer's error before streaming, and RESPONSE_INCOMPLETE when the stream breaks", async () => {
    const forbidden = recordingFetch(() => problem(403, { code: 'FORBIDDEN', detail: 'This needs the admin role' }));
    expect(await caught(new RunledgerClient({ server: 'http://rl.test', fetch: forbidden.fetch }).audit.export())).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });

    const cut = recordingFetch(() =>
      streamed(
        [new TextEncoder().encode('{"n":1}\n{"n"')],
        { status: 200, headers: { 'content-type': 'application/x-ndjson' } },
        new Error('socket hang up'),
      ),
    );
    const lines: string[] = [];
    const iterate = async () => {
      for await (const line of await new RunledgerClient({ server: 'http://rl.test', fetch: cut.fetch }).audit.export()) lines.push(line);
    };
    expect(await caught(iterate())).toMatchObject({ status: 200, code: 'RESPONSE_INCOMPLETE' });
    expect(lines).toEqual(['{"n":1}']);
  });
});

describe('RunledgerClient log requests', () => {
  const line = (seq: number, message: string) => ({
    seq,
    taskRunId: null,
    ts: '2025-01-31T14:05:09.123Z',
    level: 'INFO',
    source: 'scheduler',
    message,
  });
  const sse = { status: 200, headers: { 'content-type': 'text/event-stream' } };

  it('sends the filters of a page, and of a follow with follow=true and the event-stream media type', async () => {
    const t = recordingFetch(
      () =>
        new Response(JSON.stringify({ items: [line(4, 'x')], nextSeq: 4, hasMore: false }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const c = new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch });
    expect(await c.getLogs('e/1', { level: ['WARN', 'error'], since: '5m', task: 'talk', afterSeq: 3, limit: 1000 })).toEqual({
      items: [line(4, 'x')],
      nextSeq: 4,
      hasMore: false,
    });
    await c.getLogs('e1');
    await c.getLogs('e1', { level: [] });
    expect(t.sent.map((s) => `${s.url.pathname}${s.url.search}`)).toEqual([
      '/v1/executions/e%2F1/logs?level=WARN%2Cerror&since=5m&task=talk&afterSeq=3&limit=1000',
      '/v1/executions/e1/logs',
      '/v1/executions/e1/logs',
    ]);

    const f = recordingFetch(() => new Response('event: end\ndata: {"status":"completed","lastSeq":0}\n\n', sse));
    const events = await new RunledgerClient({ server: 'http://rl.test', fetch: f.fetch }).followLogs('e1', { task: 'talk' });
    const received = [];
    for await (const event of events) received.push(event);
    expect(received).toEqual([{ type: 'end', status: 'completed', lastSeq: 0 }]);
    expect(`${f.sent[0]!.url.pathname}${f.sent[0]!.url.search}`).toBe('/v1/executions/e1/logs?task=talk&follow=true');
    expect(f.sent[0]!.headers.accept).toBe('text/event-stream, application/problem+json');
  });

  it('parses the event stream however the chunks are split: comments skipped, CRLF and multi-byte characters across chunks', async () => {
    const text =
      ': keep-alive\n\n' +
      `id: 1\nevent: line\ndata: ${JSON.stringify(line(1, 'héllo'))}\n\n` +
      ': keep-alive\r\n\r\n' +
      `id: 2\r\nevent: line\r\ndata: ${JSON.stringify(line(2, 'two\nlines'))}\r\n\r\n` +
      'event: progress\ndata: {"ignored":true}\n\n' +
      `event:line\ndata:${JSON.stringify(line(3, 'no space after the colon'))}\n\n` +
      'event: end\ndata: {"status":"failed","lastSeq":3}\n\n' +
      `event: line\ndata: ${JSON.stringify(line(4, 'after the end'))}\n\n`;
    const bytes = new TextEncoder().encode(text);
    // every split point, including inside "é", inside "\r\n" and inside "\n\n"
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
      const t = recordingFetch(() => streamed(chunks, sse));
      const received = [];
      for await (const event of await new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch }).followLogs('e1'))
        received.push(event);
      expect(received, `chunks of ${size}`).toEqual([
        { type: 'line', line: line(1, 'héllo') },
        { type: 'line', line: line(2, 'two\nlines') },
        { type: 'line', line: line(3, 'no space after the colon') },
        { type: 'end', status: 'failed', lastSeq: 3 },
      ]);
    }
  });

  it('yields each line as it arrives, before the stream goes on', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(`event: line\ndata: ${JSON.stringify(line(1, 'first'))}\n\n`));
        await gate;
        controller.enqueue(encoder.encode('event: end\ndata: {"status":"completed","lastSeq":1}\n\n'));
        controller.close();
      },
    });
    const t = recordingFetch(() => new Response(body, sse));
    const iterator = (await new RunledgerClient({ server: 'http://rl.test', fetch: t.fetch }).followLogs('e1'))[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'line', line: line(1, 'first') } });
    release();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'end', status: 'completed', lastSeq: 1 } });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("throws the answer's error before yielding, and RESPONSE_INCOMPLETE when the stream stops before its end", async () => {
    const missing = recordingFetch(() => problem(404, { code: 'EXECUTION_NOT_FOUND', detail: 'Execution e1 not found' }));
    expect(await caught(new RunledgerClient({ server: 'http://rl.test', fetch: missing.fetch }).followLogs('e1'))).toMatchObject({
      status: 404,
      code: 'EXECUTION_NOT_FOUND',
    });
    const invalid = recordingFetch(() => problem(400, { code: 'VALIDATION_FAILED', detail: 'querystring.since: "x" is neither…' }));
    expect(
      await caught(new RunledgerClient({ server: 'http://rl.test', fetch: invalid.fetch }).getLogs('e1', { since: 'x' })),
    ).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: 'querystring.since: "x" is neither…' });

    const follow = async (answer: () => Response) => {
      const received: unknown[] = [];
      const iterate = async () => {
        for await (const event of await new RunledgerClient({ server: 'http://rl.test', fetch: recordingFetch(answer).fetch }).followLogs(
          'e1',
        ))
          received.push(event);
      };
      return { error: await caught(iterate()), received };
    };
    const first = `event: line\ndata: ${JSON.stringify(line(1, 'one'))}\n\n`;
    const closed = await follow(() => new Response(`${first}event: line\ndata: {"seq"`, sse));
    expect(closed.error).toMatchObject({ status: 200, code: 'RESPONSE_INCOMPLETE' });
    expect(closed.received).toEqual([{ type: 'line', line: line(1, 'one') }]);
    const broken = await follow(() => streamed([new TextEncoder().encode(first)], sse, new Error('socket hang up')));
    expect(broken.error).toMatchObject({ status: 200, code: 'RESPONSE_INCOMPLETE' });
    expect(broken.received).toHaveLength(1);
    const garbled = await follow(() => new Response('event: line\ndata: not json\n\n', sse));
    expect(garbled.error).toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});

describe('RunledgerClient against a real server', () => {
  let tmp: string;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-client-'));
    server = await startServer(
      loadConfig({ RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD, RUNLEDGER_LOG_LEVEL: 'silent' }, { dataDir: tmp, port: 0, host: '127.0.0.1' }),
      { print: () => {} },
    );
  });

  afterAll(async () => {
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('signs in, manages tokens, workflows and executions', async () => {
    const anonymous = new RunledgerClient({ server: server.url });
    expect(await anonymous.health()).toEqual({ status: 'ok' });
    expect(await caught(anonymous.me())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await caught(anonymous.login('admin', 'wrong password'))).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });

    const session = new RunledgerClient({ server: server.url });
    const { user } = await session.login('admin', ADMIN_PASSWORD);
    expect(user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(await session.me()).toMatchObject({ username: 'admin', via: 'user' });

    const created = await session.createToken('test token');
    const c = new RunledgerClient({ server: server.url, token: created.token });
    expect(await c.me()).toMatchObject({ username: 'admin', via: 'token' });
    expect((await c.listTokens()).map((t) => t.name)).toContain('test token');

    const yaml =
      'id: greet\nname: Greet\ninputs:\n  count: { type: integer, default: 1 }\ntasks:\n  - id: say\n    type: log\n    with: { message: "n={{ inputs.count }}" }\n';
    expect(await c.applyWorkflow(yaml, 'yaml')).toMatchObject({ id: 'greet', version: 1, created: true, changed: true });
    expect(await c.applyWorkflow(yaml, 'yaml')).toMatchObject({ version: 1, created: false, changed: false });
    const json = JSON.stringify({ id: 'greet', name: 'Greet again', tasks: [{ id: 'say', type: 'log', with: { message: 'hi' } }] });
    expect(await c.applyWorkflow(json, 'json')).toMatchObject({ version: 2, created: false, changed: true });
    expect(await caught(c.createWorkflow(json, 'json'))).toMatchObject({ status: 409, code: 'WORKFLOW_EXISTS' });
    expect((await c.listWorkflowVersions('greet')).map((v) => v.version)).toEqual([2, 1]);
    expect((await c.getWorkflow('greet')).definition.name).toBe('Greet again');
    expect((await c.listWorkflows()).map((w) => w.id)).toEqual(['greet']);

    const started = await c.runWorkflow('greet', { inputs: { count: '3' }, version: 1, correlationId: 'ticket-7' }, { trigger: 'cli' });
    const ended = await c.waitForExecution(started.executionId, { pollMs: 50, timeoutMs: 10_000 });
    expect(ended).toMatchObject({
      status: 'completed',
      trigger: 'cli',
      workflowVersion: 1,
      correlationId: 'ticket-7',
      inputs: { count: 3 },
    });
    const run = ended.taskRuns[0]!;
    expect(await c.getTaskRun(ended.id, run.id)).toMatchObject({ id: run.id, taskId: 'say', status: 'succeeded' });
    expect((await c.listExecutions({ workflow: 'greet', status: ['completed'] })).items.map((e) => e.id)).toEqual([ended.id]);
    expect((await c.listWorkflowExecutions('greet', { status: ['failed'] })).items).toEqual([]);
    expect(await caught(c.cancelExecution(ended.id, 'too late'))).toBeInstanceOf(ApiError);
    expect(await caught(c.getExecution('01900000-0000-7000-8000-000000000000'))).toMatchObject({
      status: 404,
      code: 'EXECUTION_NOT_FOUND',
    });

    await c.deleteWorkflow('greet');
    expect(await caught(c.getWorkflow('greet'))).toMatchObject({ status: 404, code: 'WORKFLOW_NOT_FOUND' });

    await session.revokeToken(created.id);
    expect(await caught(c.me())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('manages users, groups and shares as an admin; a member is FORBIDDEN there and reads what is shared', async () => {
    const admin = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(tmp, 'local-token'), 'utf8').trim() });
    const ada = await admin.admin.createUser({ username: 'ada', password: 'ada password 1' });
    expect(ada).toMatchObject({ username: 'ada', role: 'member', canEditWorkflows: false, disabledAt: null });
    expect(await caught(admin.admin.createUser({ username: 'ada', password: 'ada password 1' }))).toMatchObject({
      status: 409,
      code: 'CONFLICT',
    });
    expect((await admin.admin.listUsers()).map((u) => u.username)).toEqual(['ada', 'admin']);
    expect(await admin.admin.updateUser(ada.id, { canEditWorkflows: true })).toMatchObject({ canEditWorkflows: true });
    expect(await caught(admin.admin.updateUser('01900000-0000-7000-8000-000000000000', { role: 'admin' }))).toMatchObject({
      status: 404,
      code: 'USER_NOT_FOUND',
    });

    const group = await admin.admin.createGroup('ops');
    expect(group).toMatchObject({ name: 'ops', members: [] });
    expect((await admin.admin.addGroupMember(group.id, ada.id)).members).toEqual([{ id: ada.id, username: 'ada' }]);
    expect((await admin.admin.listGroups()).map((g) => g.name)).toEqual(['ops']);

    await admin.applyWorkflow(
      JSON.stringify({ id: 'shared', name: 'S', tasks: [{ id: 't', type: 'log', with: { message: 'x' } }] }),
      'json',
    );
    const { executionId } = await admin.runWorkflow('shared');
    expect(await admin.getShares(executionId)).toEqual({ scope: 'private', users: [], groups: [] });
    expect(await admin.setShares(executionId, { scope: 'shared', groups: ['ops'] })).toEqual({
      scope: 'shared',
      users: [],
      groups: [{ id: group.id, name: 'ops' }],
    });

    const member = new RunledgerClient({ server: server.url });
    await member.login('ada', 'ada password 1');
    expect(await caught(member.admin.listUsers())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await caught(member.admin.createGroup('mine'))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await member.getExecution(executionId)).id).toBe(executionId);
    expect(await caught(member.setShares(executionId, { scope: 'private' }))).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    expect((await admin.admin.removeGroupMember(group.id, ada.id)).members).toEqual([]);
    expect(await caught(member.getExecution(executionId))).toMatchObject({ status: 404, code: 'EXECUTION_NOT_FOUND' });
    await admin.admin.deleteGroup(group.id);
    expect(await admin.admin.listGroups()).toEqual([]);

    await admin.admin.updateUser(ada.id, { disabled: true });
    expect(await caught(member.me())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('reads, verifies, checkpoints and exports the audit trail', async () => {
    const c = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(tmp, 'local-token'), 'utf8').trim() });
    await c.applyWorkflow(JSON.stringify({ id: 'audited', name: 'A', tasks: [{ id: 't', type: 'log', with: { message: 'x' } }] }), 'json');
    const ended = await c.waitForExecution((await c.runWorkflow('audited')).executionId, { pollMs: 50, timeoutMs: 10_000 });

    const audit = await c.audit.getExecution(ended.id);
    expect(audit.items[0]).toMatchObject({ subjectType: 'execution', subjectId: ended.id, seq: 1, eventType: 'CREATED', prevHash: null });
    expect(audit.items.at(-1)).toMatchObject({ eventType: 'COMPLETED', actor: { kind: 'worker' } });
    expect(audit.verification).toEqual({ ok: true, checked: audit.items.length, problems: [] });
    expect(await c.audit.getStepResults(ended.id, ended.taskRuns[0]!.id)).toEqual([
      expect.objectContaining({ taskRunId: ended.taskRuns[0]!.id, stepName: 't', success: true, toState: 'succeeded' }),
    ]);
    expect((await c.audit.list({ eventType: 'CREATED', subjectType: 'execution' })).map((e) => e.subjectId)).toContain(ended.id);

    const created = await c.audit.createCheckpoint();
    const latest = await c.audit.latestCheckpoint();
    expect(latest).toMatchObject({ id: created.id, hash: created.hash, publicKey: expect.stringMatching(/BEGIN PUBLIC KEY/) });
    expect(await c.audit.verify()).toMatchObject({ ok: true, checkpoints: expect.any(Number) });
    const { publicKey: _publicKey, ...checkpoint } = latest;
    expect(await c.audit.verify({ execution: ended.id, checkpoint })).toMatchObject({ ok: true, chains: 1 });

    const lines: string[] = [];
    for await (const line of await c.audit.export()) lines.push(line);
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(expect.arrayContaining(audit.items.map((e) => e.id)));
  });

  it('reads log pages and follows a running execution to its end', async () => {
    const c = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(tmp, 'local-token'), 'utf8').trim() });
    await c.applyWorkflow(
      JSON.stringify({
        id: 'drip',
        name: 'Drip',
        tasks: [{ id: 'drip', type: 'shell', with: { command: 'for i in 1 2 3; do echo "drip $i"; sleep 0.3; done' } }],
      }),
      'json',
    );
    const { executionId } = await c.runWorkflow('drip');
    const events = [];
    for await (const event of await c.followLogs(executionId, { task: 'drip' })) events.push(event);
    const lines = events.flatMap((e) => (e.type === 'line' ? [e.line] : []));
    expect(lines.filter((l) => l.source === 'task:drip:stdout').map((l) => l.message)).toEqual(['drip 1', 'drip 2', 'drip 3']);
    expect(events.at(-1)).toEqual({ type: 'end', status: 'completed', lastSeq: expect.any(Number) });

    const all = await c.getLogs(executionId);
    expect(all.hasMore).toBe(false);
    expect(all.items.map((l) => l.seq)).toEqual(all.items.map((_, i) => i + 1));
    const first = await c.getLogs(executionId, { limit: 2 });
    expect(first).toMatchObject({ nextSeq: 2, hasMore: true });
    expect((await c.getLogs(executionId, { afterSeq: first.nextSeq, limit: 2 })).items.map((l) => l.seq)).toEqual([3, 4]);
    expect((await c.getLogs(executionId, { level: ['error'] })).items).toEqual([]);
    expect(await caught(c.getLogs(executionId, { since: 'yesterday' }))).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining('querystring.since'),
    });
    expect(await caught(c.followLogs('01900000-0000-7000-8000-000000000000'))).toMatchObject({ status: 404, code: 'EXECUTION_NOT_FOUND' });

    // backwards from the tail, the summary, a search, a download
    const last = all.items.at(-1)!.seq;
    expect((await c.getLogs(executionId, { beforeSeq: last + 1, limit: 2 })).items.map((l) => l.seq)).toEqual([last - 1, last]);
    expect(await c.getLogSummary(executionId)).toEqual({
      firstSeq: 1,
      lastSeq: last,
      lineCount: last,
      written: last,
      deleted: null,
      ended: true,
    });
    const found = await c.searchLogs(executionId, 'DRIP 2');
    const expected = all.items.filter((l) => l.message.toLowerCase().includes('drip 2')).map((l) => l.seq);
    expect(expected.length).toBeGreaterThan(0);
    expect(found).toEqual({ seqs: expected, count: expected.length, countLimit: 10_000, truncated: false });
    const text = await new Response(await c.downloadLogs(executionId, { task: 'drip', text: 'drip' })).text();
    const downloaded = text.trimEnd().split('\n');
    expect(downloaded.every((l) => l.toLowerCase().includes('drip'))).toBe(true);
    expect(downloaded.filter((l) => l.includes('[task:drip:stdout]')).map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'INFO  [task:drip:stdout] drip 1',
      'INFO  [task:drip:stdout] drip 2',
      'INFO  [task:drip:stdout] drip 3',
    ]);
    const ndjson = await new Response(await c.downloadLogs(executionId, { format: 'ndjson' })).text();
    expect(
      ndjson
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual(all.items.map((l) => l.seq));
  });

  it('reports a locked sign-in with TOO_MANY_ATTEMPTS and the seconds to wait', async () => {
    const anonymous = new RunledgerClient({ server: server.url });
    for (let i = 0; i < 5; i++)
      expect(await caught(anonymous.login('nobody', 'wrong password'))).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const locked = await caught(anonymous.login('nobody', 'wrong password'));
    expect(locked).toMatchObject({ status: 429, code: 'TOO_MANY_ATTEMPTS' });
    expect(locked.retryAfterSeconds).toBeGreaterThan(890);
    expect(locked.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it('waitForExecution gives up with WAIT_TIMEOUT', async () => {
    const c = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(tmp, 'local-token'), 'utf8').trim() });
    await c.applyWorkflow(
      JSON.stringify({ id: 'slow', name: 'Slow', tasks: [{ id: 'nap', type: 'sleep', with: { duration: '20s' } }] }),
      'json',
    );
    const { executionId } = await c.runWorkflow('slow');
    expect(await caught(c.waitForExecution(executionId, { pollMs: 20, timeoutMs: 100 }))).toMatchObject({
      status: 0,
      code: 'WAIT_TIMEOUT',
    });
    expect((await c.cancelExecution(executionId)).status).toBe('cancelled');
  });
});

describe('resolveCredentials', () => {
  let tmp: string;
  let cwd: string;
  let home: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-credentials-'));
    cwd = path.join(tmp, 'project');
    home = path.join(tmp, 'home');
    fs.mkdirSync(path.join(cwd, '.runledger'), { recursive: true });
    fs.writeFileSync(path.join(cwd, '.runledger', 'server.json'), JSON.stringify({ url: 'http://local:1', pid: 1 }));
    fs.writeFileSync(path.join(cwd, '.runledger', 'local-token'), 'local-tok\n');
    writeStoredCredentials(path.join(home, '.config', 'runledger', 'credentials.json'), { server: 'http://file:2', token: 'file-tok' });
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('takes each of server and token from flags, then env, then the login file, then the local server', () => {
    const env = { HOME: home, RUNLEDGER_SERVER: 'http://env:3', RUNLEDGER_TOKEN: 'env-tok' };
    expect(resolveCredentials({ flags: { server: 'http://flag:4', token: 'flag-tok' }, env, cwd })).toEqual({
      server: 'http://flag:4',
      serverSource: 'flag',
      token: 'flag-tok',
      tokenSource: 'flag',
    });
    expect(resolveCredentials({ flags: {}, env, cwd })).toMatchObject({
      server: 'http://env:3',
      token: 'env-tok',
      serverSource: 'env',
      tokenSource: 'env',
    });
    expect(resolveCredentials({ env: { HOME: home }, cwd })).toMatchObject({
      server: 'http://file:2',
      token: 'file-tok',
      serverSource: 'file',
      tokenSource: 'file',
    });
    expect(resolveCredentials({ env: { HOME: path.join(tmp, 'nobody') }, cwd })).toMatchObject({
      server: 'http://local:1',
      token: 'local-tok',
      serverSource: 'local',
      tokenSource: 'local',
    });
    // independently: the server from a flag, the token from the login file
    expect(resolveCredentials({ flags: { server: 'http://flag:4' }, env: { HOME: home, RUNLEDGER_SERVER: '' }, cwd })).toMatchObject({
      server: 'http://flag:4',
      token: 'file-tok',
      tokenSource: 'file',
    });
  });

  it('finds the local server through RUNLEDGER_DATA_DIR, and falls back to the default server without a token', () => {
    const elsewhere = path.join(tmp, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true });
    const nobody = path.join(tmp, 'nobody');
    expect(resolveCredentials({ env: { HOME: nobody, RUNLEDGER_DATA_DIR: path.join(cwd, '.runledger') }, cwd: elsewhere })).toMatchObject({
      server: 'http://local:1',
      token: 'local-tok',
    });
    expect(resolveCredentials({ env: { HOME: nobody, RUNLEDGER_DATA_DIR: '../project/.runledger' }, cwd: elsewhere })).toMatchObject({
      server: 'http://local:1',
    });
    expect(resolveCredentials({ env: { HOME: nobody }, cwd: elsewhere })).toEqual({
      server: DEFAULT_SERVER,
      serverSource: 'default',
      token: undefined,
      tokenSource: undefined,
    });
  });

  it('reads the login file from XDG_CONFIG_HOME, ignores a damaged one, and writes it 0600', () => {
    const xdg = path.join(tmp, 'xdg');
    expect(credentialsFile({ HOME: home })).toBe(path.join(home, '.config', 'runledger', 'credentials.json'));
    expect(credentialsFile({ HOME: home, XDG_CONFIG_HOME: xdg })).toBe(path.join(xdg, 'runledger', 'credentials.json'));

    const file = credentialsFile({ XDG_CONFIG_HOME: xdg });
    writeStoredCredentials(file, { server: 'http://xdg:5', token: 'xdg-tok', username: 'ada', tokenId: 't1' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readStoredCredentials(file)).toEqual({ server: 'http://xdg:5', token: 'xdg-tok', username: 'ada', tokenId: 't1' });
    expect(resolveCredentials({ env: { HOME: home, XDG_CONFIG_HOME: xdg }, cwd })).toMatchObject({
      server: 'http://xdg:5',
      token: 'xdg-tok',
    });

    fs.writeFileSync(file, '{ not json');
    expect(readStoredCredentials(file)).toEqual({});
    expect(resolveCredentials({ env: { HOME: home, XDG_CONFIG_HOME: xdg }, cwd })).toMatchObject({
      server: 'http://local:1',
      serverSource: 'local',
    });
  });
});
