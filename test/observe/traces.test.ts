import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.ts';
import { createOtelTracing, type OtelTracing } from '../../src/observe/otel-tracing.ts';
import { createHarness, createSecondEngine, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  attributes: Record<string, string | number>;
  status: number;
}

/** OTLP/JSON ids are hex; a receiver that got base64 (the protobuf JSON mapping) turns it to hex too. */
function hexId(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return /^[0-9a-f]*$/.test(text) ? text : Buffer.from(text, 'base64').toString('hex');
}

function attributeValue(value: Record<string, unknown>): string | number {
  if ('stringValue' in value) return String(value.stringValue);
  if ('intValue' in value) return Number(value.intValue);
  return JSON.stringify(value);
}

/** An OTLP/HTTP receiver: what any collector does at POST /v1/traces, decoding the JSON export. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: Record<string, unknown> }[] };
          scopeSpans: {
            spans: {
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              attributes?: { key: string; value: Record<string, unknown> }[];
              status?: { code?: number };
            }[];
          }[];
        }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name');
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: hexId(s.traceId),
              spanId: hexId(s.spanId),
              parentSpanId: hexId(s.parentSpanId ?? ''),
              name: s.name,
              service: service ? String(attributeValue(service.value)) : '',
              attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, attributeValue(a.value)])),
              status: s.status?.code ?? 0,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A server an http task calls: it remembers the traceparent each request came with. */
async function startEchoServer(): Promise<{ url: string; traceparents: (string | undefined)[]; close(): Promise<void> }> {
  const traceparents: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    traceparents.push(req.headers.traceparent as string | undefined);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, traceparents, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describeEachDialect('traces (OTLP over HTTP)', (dialect) => {
  let h: Harness | undefined;
  let worker: Engine | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await worker?.shutdown();
    await h?.dispose();
    for (const close of closers.splice(0).reverse()) await close();
    worker = undefined;
    h = undefined;
  });

  async function run(headers: Record<string, string>, correlationId: string): Promise<string> {
    const res = await h!.app.inject({
      method: 'POST',
      url: '/v1/workflows/traced/run',
      headers: { authorization: `Bearer ${h!.adminToken}`, ...headers },
      payload: { inputs: {}, correlationId },
    });
    expect(res.statusCode).toBe(202);
    const executionId = (JSON.parse(res.body) as { executionId: string }).executionId;
    expect(await worker!.waitForExecution(executionId, 20_000)).toBe('completed');
    return executionId;
  }

  it('exports a span per execution and per attempt; tasks get the traceparent; a run request joins its caller’s trace', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const echo = await startEchoServer();
    closers.push(echo.close);
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'runledger-test' };
    // Two processes on one store: an API node that takes the run request, and a worker that runs the
    // tasks and ends the execution. Each has its own tracer; nothing passes between them but the store.
    h = await createHarness(dialect, { worker: false, tracingEnv: env, workerId: 'api-node' });
    const workerTracing: OtelTracing = createOtelTracing({ env, db: h.store.db, workerId: 'worker-node' })!;
    closers.push(() => workerTracing.close());
    worker = await createSecondEngine(h, { workerId: 'worker-node', tracing: workerTracing });
    await h.apply({
      id: 'traced',
      name: 'Traced',
      tasks: [
        { id: 'sh', type: 'shell', with: { command: 'echo "$TRACEPARENT"' } },
        { id: 'call', type: 'http', needs: ['sh'], with: { method: 'POST', url: echo.url, body: { hello: 1 } } },
      ],
    });

    const joined = await run({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc' }, 'order-17');
    const own = await run({}, 'order-18');
    const ignored = await run({ traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01` }, 'order-19');
    const spansOf = (executionId: string) => receiver.spans.filter((s) => s.attributes['runledger.execution.id'] === executionId);
    // An attempt's span ends once its report has committed, which may be just after the execution is seen to end.
    for (let i = 0; i < 50 && [joined, own, ignored].some((id) => spansOf(id).length < 3); i++) {
      await workerTracing.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    // The execution's span: exported by the worker (it committed the end), a child of the caller's span.
    const joinedSpans = spansOf(joined);
    expect(joinedSpans).toHaveLength(3);
    const execution = joinedSpans.find((s) => s.name === 'execution traced')!;
    expect(execution).toMatchObject({
      traceId: CALLER_TRACE,
      parentSpanId: CALLER_SPAN,
      service: 'runledger-test',
      attributes: {
        'runledger.correlation_id': 'order-17',
        'runledger.workflow.id': 'traced',
        'runledger.execution.status': 'completed',
      },
    });
    const shell = joinedSpans.find((s) => s.name === 'task sh')!;
    const call = joinedSpans.find((s) => s.name === 'task call')!;
    for (const [span, type] of [
      [shell, 'shell'],
      [call, 'http'],
    ] as const) {
      expect(span).toMatchObject({
        traceId: CALLER_TRACE,
        parentSpanId: execution.spanId,
        attributes: {
          'runledger.correlation_id': 'order-17',
          'runledger.task.type': type,
          'runledger.task_run.attempt': 1,
          'runledger.task_run.status': 'succeeded',
          'runledger.worker.id': 'worker-node',
        },
      });
    }
    // The shell command saw its attempt's span as TRACEPARENT; the server the http task called got it as a header.
    const record = (await h.api<{ taskRuns: { taskId: string; output: { stdout?: string } }[] }>('GET', `/v1/executions/${joined}`)).body;
    expect(record.taskRuns.find((r) => r.taskId === 'sh')!.output.stdout?.trim()).toBe(`00-${CALLER_TRACE}-${shell.spanId}-01`);
    expect(echo.traceparents[0]).toBe(`00-${CALLER_TRACE}-${call.spanId}-01`);
    // The caller's trace is part of the record (its CREATED event), and the record still verifies.
    const audit = (
      await h.api<{ items: { eventType: string; metadata: Record<string, unknown> }[]; verification: { ok: boolean } }>(
        'GET',
        `/v1/executions/${joined}/audit`,
      )
    ).body;
    expect(audit.verification.ok).toBe(true);
    expect(audit.items.find((e) => e.eventType === 'CREATED')!.metadata.trace).toEqual({
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      tracestate: 'vendor=abc',
    });

    // Without a traceparent (or with one that is not valid) the execution starts a trace of its own,
    // whose id is the execution id.
    for (const [executionId, correlationId] of [
      [own, 'order-18'],
      [ignored, 'order-19'],
    ] as const) {
      const spans = spansOf(executionId);
      expect(spans).toHaveLength(3);
      const root = spans.find((s) => s.name === 'execution traced')!;
      expect(root).toMatchObject({ traceId: executionId.replace(/-/g, ''), parentSpanId: '' });
      expect(root.attributes['runledger.correlation_id']).toBe(correlationId);
      for (const child of spans.filter((s) => s !== root))
        expect(child).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId });
    }
    expect(echo.traceparents).toHaveLength(3);
  });

  it('passes nothing on when traces are off', async () => {
    expect(createOtelTracing({ env: {}, db: undefined as never, workerId: 'w' })).toBeUndefined();
    expect(
      createOtelTracing({
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' },
        db: undefined as never,
        workerId: 'w',
      }),
    ).toBeUndefined();
    const echo = await startEchoServer();
    closers.push(echo.close);
    h = await createHarness(dialect);
    worker = h.engine;
    await h.apply({
      id: 'traced',
      name: 'Traced',
      tasks: [
        { id: 'sh', type: 'shell', with: { command: 'echo "${TRACEPARENT:-none}"' } },
        { id: 'call', type: 'http', needs: ['sh'], with: { url: echo.url } },
      ],
    });
    const id = await run({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, 'c');
    const record = (await h.api<{ taskRuns: { taskId: string; output: { stdout?: string } }[] }>('GET', `/v1/executions/${id}`)).body;
    expect(record.taskRuns.find((r) => r.taskId === 'sh')!.output.stdout?.trim()).toBe('none');
    expect(echo.traceparents).toEqual([undefined]);
  });
});
