import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/**
 * Property: whatever query string a client sends to a list route, the answer is never a 5xx. The
 * keys are each route's own parameters mixed with strangers; the values are arbitrary text and the
 * values that broke routes before (durations and dates out of range, huge numbers, control
 * characters, repeated keys, LIKE wildcards).
 */
const HISTORY = ['status', 'workflow', 'triggeredBy', 'from', 'to', 'keyword', 'procedure', 'executor', 'deleted', 'cursor', 'limit'];
const LOGS = ['level', 'since', 'task', 'afterSeq', 'beforeSeq', 'limit', 'follow', 'q', 'format'];
const STRANGERS = ['input.server', 'input.secret_token', 'input.__proto__', '__proto__', 'constructor', 'x', ''];

const EDGE_VALUES = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '300000000d',
  '1000000000000h',
  '99999-01-01',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01',
  '0000-01-01',
  '1969-12-31T23:59:59Z',
  '2026-02-31',
  '2026-13-01',
  'true',
  '1',
  'INFO,ERROR',
  'info,,warn,',
  ',,,',
  '%',
  '_',
  '\\',
  "'; drop table executions; --",
  '\u0000',
  'a\u0000b',
  '\u001b[31mred',
  '\ud800',
  'ü'.repeat(300),
  'x'.repeat(5000),
  'completed,failed',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const value = fc.oneof(
  fc.constantFrom(...EDGE_VALUES),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom('ms', 's', 'm', 'h', 'd')).map(([n, u]) => `${n}${u}`),
);

function queries(keys: readonly string[]) {
  return fc.array(fc.tuple(fc.constantFrom(...keys, ...STRANGERS), value), { maxLength: 6 }).map((pairs) => {
    const params = new URLSearchParams();
    for (const [k, v] of pairs) params.append(k, v);
    return params.toString();
  });
}

describeEachDialect('list routes under fuzzed query strings', (dialect) => {
  let h: Harness;
  let executionId: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'fz',
      name: 'Fuzz',
      inputs: { server: { type: 'string', default: 'web-01' }, secret_token: { type: 'string', secret: true, default: 'fuzz-secret-1' } },
      tasks: [{ id: 'say', type: 'shell', with: { command: 'echo one; echo two >&2' } }],
    });
    executionId = (await h.runToEnd('fz')).id;
  });
  afterAll(async () => {
    await h.dispose();
  });

  it('never answers 5xx', async () => {
    const routes: Array<[string, readonly string[]]> = [
      ['/v1/executions', HISTORY],
      ['/v1/executions/count', HISTORY],
      ['/v1/workflows/fz/executions', HISTORY],
      ['/v1/workflows/fz/executions/count', HISTORY],
      [`/v1/executions/${executionId}/logs`, LOGS],
      [`/v1/executions/${executionId}/logs/search`, LOGS],
      [`/v1/executions/${executionId}/logs/download`, LOGS],
      [`/v1/executions/${executionId}/logs/summary`, LOGS],
      ['/v1/audit', ['subjectType', 'eventType', 'limit']],
      ['/v1/workflows', []],
      ['/v1/workflows/fz/versions', []],
      ['/v1/tokens', []],
      ['/v1/admin/users', []],
      ['/v1/admin/groups', []],
      [`/v1/executions/${executionId}/attachments`, []],
      [`/v1/executions/${executionId}/audit`, []],
      [`/v1/executions/${executionId}/step-audit`, []],
    ];
    let answered = 0;
    for (const [route, keys] of routes) {
      await fc.assert(
        fc.asyncProperty(queries(keys), async (query) => {
          const url = query ? `${route}?${query}` : route;
          const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${h.adminToken}` } });
          answered++;
          if (res.statusCode >= 500) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400) expect(JSON.parse(res.body)).toMatchObject({ status: res.statusCode, code: expect.any(String) });
        }),
        { numRuns: 100 },
      );
    }
    expect(answered).toBeGreaterThanOrEqual(routes.length * 100);
  }, 240_000);
});
