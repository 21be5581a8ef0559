import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

type Page = { items: { id: string; title: string | null }[]; nextCursor: string | null };

describeEachDialect('execution history search', (dialect) => {
  let h: Harness;
  const ids: Record<string, string> = {};
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'deploy',
      name: 'Deploy',
      inputs: {
        server: { type: 'string', required: true },
        replicas: { type: 'integer', default: 1 },
        token: { type: 'string', secret: true },
      },
      tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }],
    });
    for (const [name, server, title, replicas] of [
      ['web1', 'web-01', 'Deploy web-01 for the 50% sale', 1],
      ['web2', 'web-02', 'Hotfix_release on web-02', 2],
      ['web1b', 'web-01', 'Routine', 2],
    ] as const) {
      const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/deploy/run', {
        inputs: { server, replicas, token: 'hunter2-token' },
        title,
      });
      ids[name] = res.body.executionId;
      await h.engine.waitForExecution(res.body.executionId);
    }
  });
  afterEach(async () => {
    await h.dispose();
  });

  const list = async (query: string) => (await h.api<Page>('GET', `/v1/executions?${query}`)).body.items.map((e) => e.id);
  const count = async (query: string) => (await h.api<{ count: number }>('GET', `/v1/executions/count?${query}`)).body.count;

  it('finds executions by input value through the index, and counts them', async () => {
    expect(await list('input.server=web-01')).toEqual([ids.web1b, ids.web1]);
    expect(await list('input.server=web-01&input.replicas=2')).toEqual([ids.web1b]);
    expect(await list('input.server=web-99')).toEqual([]);
    // secret inputs are stored masked, so their values are never searchable
    expect(await list('input.token=hunter2-token')).toEqual([]);
    expect(await count('input.server=web-01')).toBe(2);
    expect(await count('')).toBe(3);
    expect((await h.api<{ count: number }>('GET', '/v1/workflows/deploy/executions/count?input.replicas=2')).body.count).toBe(2);
  });

  it('runs with an input too long for the index (a list of 1000 servers): kept whole, searchable by its other inputs', async () => {
    const servers = Array.from({ length: 1000 }, (_, i) => `server-${i}.example.com`);
    await h.apply({
      id: 'fleet',
      name: 'Fleet',
      inputs: { servers: { type: 'array', required: true }, region: { type: 'string', required: true } },
      tasks: [{ id: 'a', type: 'log', with: { message: '{{ inputs.region }}' } }],
    });
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/fleet/run', { inputs: { servers, region: 'eu-west' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(await h.engine.waitForExecution(res.body.executionId)).toBe('completed');
    const e = await h.api<{ inputs: { servers: string[] } }>('GET', `/v1/executions/${res.body.executionId}`);
    expect(e.body.inputs.servers).toEqual(servers);
    expect(await list('input.region=eu-west')).toEqual([res.body.executionId]);
  });

  it('finds executions by keyword in title or notes, case-insensitively, with % and _ taken literally', async () => {
    expect(await list('keyword=WEB-02')).toEqual([ids.web2]);
    expect(await list('keyword=50%25')).toEqual([ids.web1]);
    expect(await list('keyword=web_01')).toEqual([]); // as a wildcard, _ would match the - of web-01
    expect(await list('keyword=hotfix_release')).toEqual([ids.web2]);
    expect(await count('keyword=deploy')).toBe(1);
  });

  it('refuses unknown filters and malformed input filters', async () => {
    for (const query of ['servr=web-01', 'input.Server=x', 'input.=x']) {
      const res = await h.api<{ code: string; detail: string }>('GET', `/v1/executions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await h.api('GET', '/v1/executions/count?status=nope')).status).toBe(400);
  });
});
