import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '../../src/domain/nesting-depth.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** A definition whose `with` holds `inner` (text) at the given place. */
const definitionWith = (inner: string) =>
  `{"id":"deep","name":"Deep","tasks":[{"id":"t","type":"log","with":{"message":"x","extra":${inner}}}]}`;

describeEachDialect('hostile input answers 4xx, never 5xx, never a wrong answer', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { appOptions: { bodyLimitBytes: 4 * 1024 * 1024 } });
    await h.apply({
      id: 'plain',
      name: 'Plain',
      inputs: { data: { type: 'object' }, list: { type: 'array' } },
      tasks: [{ id: 'say', type: 'log', with: { message: 'hi' } }],
    });
  });
  afterAll(async () => {
    await h.dispose();
  });

  async function send(method: 'POST' | 'PUT', url: string, payload: string, contentType = 'application/json') {
    const res = await h.app.inject({
      method,
      url,
      payload,
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': contentType },
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as { code: string; detail: string } };
  }

  it('refuses JSON bodies nested too deep, before parsing, on every route that takes JSON', async () => {
    for (const deep of [deepArray(200_000), deepObject(100_000), deepArray(MAX_NESTING_DEPTH + 1)]) {
      for (const [method, url, body] of [
        ['POST', '/v1/workflows/plain/run', `{"inputs":{"data":{"x":${deep}}}}`],
        ['POST', '/v1/workflows/plain/run', `{"inputs":{"list":${deep}}}`],
        ['POST', '/v1/workflows', definitionWith(deep)],
        ['PUT', '/v1/workflows/deep', definitionWith(deep)],
        ['POST', '/v1/auth/login', `{"username":${deep}}`],
      ] as const) {
        const res = await send(method, url, body);
        expect(res.status, `${method} ${url}`).toBe(400);
        expect(res.body.code).toBe('NESTING_TOO_DEEP');
      }
    }
    // brackets inside strings do not count, and what is within the bound still works
    const fine = await send('POST', '/v1/workflows/plain/run', `{"inputs":{"data":{"s":"${'['.repeat(10_000)}","d":${deepArray(20)}}}}`);
    expect(fine.status).toBe(202);
  });

  it('refuses deep YAML definitions, flow or block, and YAML anchor bombs, as invalid definitions', async () => {
    const flow = `id: deep\nname: Deep\ntasks:\n  - id: t\n    type: log\n    with: { message: x, extra: ${deepArray(100_000)} }\n`;
    const block = `id: deep\nname: Deep\ntasks:\n  - id: t\n    type: log\n    with:\n      message: x\n      extra:\n        ${'- '.repeat(100_000)}x\n`;
    const aliases = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const prev = String.fromCharCode('a'.charCodeAt(0) + i);
      aliases.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `id: deep\nname: Deep\n${aliases.join('\n')}\ntasks:\n  - id: t\n    type: log\n    with: { message: x, extra: *i }\n`;
    for (const [label, yaml] of [
      ['flow', flow],
      ['block', block],
      ['bomb', bomb],
    ] as const) {
      for (const [method, url] of [
        ['POST', '/v1/workflows'],
        ['PUT', '/v1/workflows/deep'],
      ] as const) {
        const started = Date.now();
        const res = await send(method, url, yaml, 'application/yaml');
        expect(res.status, `${label} ${method}`).toBe(400);
        expect(res.body.code, label).toBe('INVALID_DEFINITION');
        expect(res.body.detail, label).toMatch(label === 'bomb' ? /alias/ : /nests deeper than/);
        expect(Date.now() - started, `${label} answered quickly`).toBeLessThan(5_000);
      }
    }
    // a quoted bracket in YAML is text, not nesting
    const quoted = `id: quoted\nname: Quoted\ntasks:\n  - id: t\n    type: log\n    with: { message: "${'['.repeat(500)}" }\n`;
    expect((await send('POST', '/v1/workflows', quoted, 'application/yaml')).status).toBe(201);
  });

  it('refuses object inputs given as deep JSON text', async () => {
    const res = await send('POST', '/v1/workflows/plain/run', JSON.stringify({ inputs: { data: `{"x":${deepArray(100_000)}}` } }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_INPUTS');
  });

  it('validates log and history dates into range instead of failing or matching everything', async () => {
    const e = await h.runToEnd('plain');
    for (const since of ['300000000d', '1000000000000h', '99999-01-01', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday']) {
      for (const route of ['logs', 'logs/search?q=x&', 'logs/download']) {
        const sep = route.endsWith('&') ? '' : '?';
        const res = await h.api<{ code: string }>('GET', `/v1/executions/${e.id}/${route}${sep}since=${encodeURIComponent(since)}`);
        expect(res.status, `${route} since=${since}`).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    }
    for (const at of ['99999-01-01', '+099999-01-01T00:00:00Z', '0001-01-01', '-000001-01-01', '2026-13-01', 'Tue Mar 01 2022']) {
      for (const param of ['from', 'to']) {
        for (const route of ['/v1/executions', '/v1/executions/count', '/v1/workflows/plain/executions']) {
          const res = await h.api<{ code: string }>('GET', `${route}?${param}=${encodeURIComponent(at)}`);
          expect(res.status, `${route}?${param}=${at}`).toBe(400);
          expect(res.body.code).toBe('VALIDATION_FAILED');
        }
      }
    }
    // in range still works, both ways
    const year = new Date().getUTCFullYear();
    expect((await h.api<{ items: unknown[] }>('GET', `/v1/executions?from=${year + 1}-01-01`)).body.items).toEqual([]);
    const found = (await h.api<{ items: Array<{ id: string }> }>('GET', `/v1/executions?from=${year - 1}-01-01`)).body.items;
    expect(found.map((i) => i.id)).toContain(e.id);
    expect((await h.api('GET', `/v1/executions/${e.id}/logs?since=9999d`)).status).toBe(200);
  });
});
