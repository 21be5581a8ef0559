import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../../src/engine/task-handler.ts';
import { httpTask, MAX_RESPONSE_BYTES } from '../../../src/engine/tasks/http-task.ts';
import { fakeContext } from './fake-context.ts';

let server: Server;
let base: string;

async function readAll(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      switch (req.url) {
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-served-by': 'test' });
          res.end(JSON.stringify({ ok: true, version: '1.2.3' }));
          return;
        case '/text':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('plain words');
          return;
        case '/fail':
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('boom');
          return;
        case '/echo':
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
          return;
        case '/big': {
          // Streamed without content-length, so only counting the bytes read can catch it.
          res.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(1024 * 1024, 'a');
          for (let sent = 0; sent <= MAX_RESPONSE_BYTES; sent += chunk.length) {
            if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
          }
          res.end();
          return;
        }
        case '/hang':
          return; // never answers
        default:
          res.writeHead(404);
          res.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<TaskExecutionError> {
  const error = await promise.then(
    () => new Error('expected the task to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof TaskExecutionError)) throw error;
  return error;
}

describe('http task', () => {
  it('GETs and parses a JSON response', async () => {
    const { ctx, logs } = fakeContext({ url: `${base}/json` });
    const output = await httpTask(ctx);
    expect(output.status).toBe(200);
    expect(output.body).toEqual({ ok: true, version: '1.2.3' });
    expect(output.headers['x-served-by']).toBe('test');
    expect(output.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(logs).toHaveLength(1);
    expect(logs[0]?.message).toMatch(new RegExp(`^GET ${base}/json answered 200 in \\d+ ms$`));
  });

  it('returns a non-JSON body as text', async () => {
    const { ctx } = fakeContext({ url: `${base}/text` });
    await expect(httpTask(ctx)).resolves.toMatchObject({ status: 200, body: 'plain words' });
  });

  it('rejects a 500 with HTTP_STATUS, keeping the response as output', async () => {
    const { ctx } = fakeContext({ url: `${base}/fail` });
    const error = await failure(httpTask(ctx));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toBe(`GET ${base}/fail answered 500`);
    expect(error.output).toMatchObject({ status: 500, body: 'boom', headers: { 'content-type': 'text/plain' } });
  });

  it('accepts a 500 listed in allowStatus', async () => {
    const { ctx } = fakeContext({ url: `${base}/fail`, allowStatus: [500] });
    await expect(httpTask(ctx)).resolves.toMatchObject({ status: 500, body: 'boom' });
  });

  it('sends the method, headers and an object body as JSON', async () => {
    const { ctx } = fakeContext({
      method: 'post',
      url: `${base}/echo`,
      headers: { authorization: 'Bearer t0ken', 'x-request-id': 'r-1' },
      body: { service: 'api', replicas: 3 },
    });
    const output = await httpTask(ctx);
    expect(output.status).toBe(201);
    const echoed = output.body as { method: string; headers: Record<string, string>; body: string };
    expect(echoed.method).toBe('POST');
    expect(echoed.headers).toMatchObject({
      authorization: 'Bearer t0ken',
      'x-request-id': 'r-1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(echoed.body)).toEqual({ service: 'api', replicas: 3 });
  });

  it('sends a string body as it is and keeps a content-type the task set', async () => {
    const { ctx } = fakeContext({
      method: 'PUT',
      url: `${base}/echo`,
      headers: { 'Content-Type': 'text/csv' },
      body: 'a,b\n1,2',
    });
    const echoed = (await httpTask(ctx)).body as { headers: Record<string, string>; body: string };
    expect(echoed.headers['content-type']).toBe('text/csv');
    expect(echoed.body).toBe('a,b\n1,2');
  });

  it('rejects a refused connection with HTTP_REQUEST_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(httpTask(fakeContext({ url: `http://127.0.0.1:${port}/` }).ctx));
    expect(error.code).toBe('HTTP_REQUEST_FAILED');
    expect(error.message).toContain(`GET http://127.0.0.1:${port}/ failed: `);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('fails with RESPONSE_TOO_LARGE past 10 MB', async () => {
    const error = await failure(httpTask(fakeContext({ url: `${base}/big` }).ctx));
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('stops when the signal aborts, with the reason as message', async () => {
    const { ctx, abort } = fakeContext({ url: `${base}/hang` });
    const run = httpTask(ctx);
    setTimeout(() => abort({ kind: 'timed_out', message: 'task t1 timed out after 100ms' }), 100);
    const error = await run.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeInstanceOf(TaskExecutionError);
    expect(error).toMatchObject({ name: 'AbortError', message: 'task t1 timed out after 100ms' });
  });

  it('refuses URLs that are not http(s), hold credentials, or are not URLs, and bodies on GET', async () => {
    for (const input of [
      { url: 'file:///etc/passwd' },
      { url: 'ftp://example.com/x' },
      { url: 'http://user:pw@127.0.0.1/' },
      { url: 'not a url' },
      { url: `${base}/json`, body: { a: 1 } },
      { url: `${base}/json`, allowStatus: ['500'] },
    ]) {
      const error = await failure(httpTask(fakeContext(input).ctx));
      expect(error.code, JSON.stringify(input)).toBe('INVALID_INPUT');
    }
  });
});
