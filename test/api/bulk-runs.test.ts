import { afterEach, beforeEach, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { newId } from '../../src/domain/ids.ts';
import { insertUser } from '../../src/store/user-repository.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/** `POST /v1/workflows/:id/runs`: many executions of one version in one request, all or none. */

const deploy = {
  id: 'deploy',
  name: 'Deploy',
  inputs: {
    server: { type: 'string', required: true },
    count: { type: 'integer', default: 1 },
    token: { type: 'string', secret: true },
  },
  tasks: [{ id: 'say', type: 'log', with: { message: 'deploying {{ inputs.server }} x{{ inputs.count }}' } }],
};

type Started = { items: { executionId: string; status: string; title: string | null }[] };
type Problem = { code: string; detail: string; details: { problems: string[]; runs?: number[] } };
type Count = { count: number };

describeEachDialect('bulk start of executions', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply(deploy);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('starts one execution per input set, in order, each with its own inputs, title and full record', async () => {
    const runs = Array.from({ length: 25 }, (_, i) => ({ inputs: { server: `web-${i}`, count: String(i) }, title: `deploy ${i}` }));
    runs[3] = { inputs: { server: 'web-3', count: '3', token: 'hunter2-secret' } as never, title: 'deploy 3' };
    const res = await h.api<Started>('POST', '/v1/workflows/deploy/runs', { runs });
    expect(res.status).toBe(202);
    expect(res.body.items).toHaveLength(25);
    expect(res.body.items.map((s) => s.title)).toEqual(runs.map((r) => r.title));
    expect(new Set(res.body.items.map((s) => s.executionId)).size).toBe(25);

    for (const [i, started] of res.body.items.entries()) {
      expect(await h.engine.waitForExecution(started.executionId, 30_000)).toBe('completed');
      const e = (await h.api<ExecutionView & { trigger: string; title: string }>('GET', `/v1/executions/${started.executionId}`)).body;
      expect(e).toMatchObject({ status: 'completed', trigger: 'api', title: `deploy ${i}` });
      expect(e.inputs).toMatchObject({ server: `web-${i}`, count: i });
      expect(e.taskRuns.map((r) => [r.taskId, r.status])).toEqual([['say', 'succeeded']]);
    }
    // the secret of one input set is masked in its record and never reaches the store in clear
    const secretOne = (await h.api<ExecutionView>('GET', `/v1/executions/${res.body.items[3]!.executionId}`)).body;
    expect(secretOne.inputs.token).toBe('***');
    // each execution has its own audit chain, complete and verifying
    const audit = await h.api<{ items: { eventType: string }[]; verification: { ok: boolean } }>(
      'GET',
      `/v1/executions/${res.body.items[7]!.executionId}/audit`,
    );
    expect(audit.body.verification.ok).toBe(true);
    expect(audit.body.items[0]!.eventType).toBe('CREATED');
    // one input search finds exactly the execution of that input set
    const found = await h.api<{ items: { id: string }[] }>('GET', '/v1/executions?input.server=web-11');
    expect(found.body.items.map((x) => x.id)).toEqual([res.body.items[11]!.executionId]);
  });

  it('records the CLI as the trigger when the CLI says so, and runs the version asked for', async () => {
    await h.apply({ ...deploy, name: 'Deploy v2' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/workflows/deploy/runs',
      headers: { authorization: `Bearer ${h.adminToken}`, 'x-runledger-trigger': 'cli' },
      payload: { runs: [{ inputs: { server: 'a' } }, { inputs: { server: 'b' } }], version: 1 },
    });
    expect(res.statusCode).toBe(202);
    for (const { executionId } of (JSON.parse(res.body) as Started).items) {
      const e = (await h.api<{ trigger: string; workflowVersion: number }>('GET', `/v1/executions/${executionId}`)).body;
      expect(e).toMatchObject({ trigger: 'cli', workflowVersion: 1 });
    }
  });

  it('refuses every input set when one is bad, naming each bad one by its index, and writes nothing', async () => {
    const runs = [
      { inputs: { server: 'ok-0' } },
      { inputs: {} },
      { inputs: { server: 'ok-2' } },
      { inputs: { server: 'ok-3', count: 'many', token: 'do-not-echo' } },
    ];
    const res = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', { runs });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_INPUTS');
    expect(res.body.details).toEqual({
      problems: ['runs[1].inputs.server: required', 'runs[3].inputs.count: expected integer, got "many"'],
      runs: [1, 3],
    });
    expect(res.body.detail).toBe('runs[1].inputs.server: required; runs[3].inputs.count: expected integer, got "many"');
    expect((await h.api<Count>('GET', '/v1/workflows/deploy/executions/count')).body.count).toBe(0);
  });

  it('refuses an empty list, more than 1000 input sets, unknown fields and an unknown workflow', async () => {
    const empty = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', { runs: [] });
    expect(empty).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(empty.body.detail).toMatch(/^body\.runs: /);
    const tooMany = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', {
      runs: Array.from({ length: 1001 }, () => ({ inputs: { server: 'x' } })),
    });
    expect(tooMany).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(tooMany.body.detail).toMatch(/^body\.runs: .*1000/);
    const stray = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', { runs: [{ inputs: { server: 'x' }, procedure: true }] });
    expect(stray).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(stray.body.detail).toMatch(/^body\.runs\.0: /);
    const unknown = await h.api<Problem>('POST', '/v1/workflows/nope/runs', { runs: [{ inputs: {} }] });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'WORKFLOW_NOT_FOUND' } });
    const noVersion = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', { runs: [{ inputs: { server: 'x' } }], version: 9 });
    expect(noVersion).toMatchObject({ status: 404, body: { code: 'WORKFLOW_NOT_FOUND' } });
    expect((await h.api<Count>('GET', '/v1/workflows/deploy/executions/count')).body.count).toBe(0);
  });

  it('takes 1000 input sets in one request', async () => {
    const runs = Array.from({ length: 1000 }, (_, i) => ({ inputs: { server: `s-${i}` } }));
    const res = await h.api<Started>('POST', '/v1/workflows/deploy/runs', { runs });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.items).toHaveLength(1000);
    expect((await h.api<Count>('GET', '/v1/workflows/deploy/executions/count')).body.count).toBe(1000);
    // every one runs to its end with its log lines numbered from 1 (their seqs were allocated for 1000 executions at once)
    await waitFor(
      async () =>
        (await h.api<Count>('GET', '/v1/workflows/deploy/executions/count?status=completed')).body.count === 1000 ? true : undefined,
      '1000 executions to complete',
      90_000,
    );
    const last = res.body.items[999]!.executionId;
    const logs = await h.api<{ items: { seq: number; message: string }[] }>('GET', `/v1/executions/${last}/logs`);
    expect(logs.body.items[0]).toMatchObject({ seq: 1, message: expect.stringContaining('execution created') as unknown });
    expect(logs.body.items.map((l) => l.seq)).toEqual(logs.body.items.map((_, i) => i + 1));
  }, 120_000);

  it('indexes every input of 1000 executions with 12 inputs each: more input rows than one statement takes', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `k${i}`);
    await h.apply({
      id: 'wide',
      name: 'Wide',
      inputs: Object.fromEntries(names.map((n) => [n, { type: 'string', required: true }])),
      tasks: [{ id: 'gate', type: 'manual', with: { description: 'Go?' } }],
    });
    const runs = Array.from({ length: 1000 }, (_, i) => ({ inputs: Object.fromEntries(names.map((n) => [n, `${n}-${i}`])) }));
    const res = await h.api<Started>('POST', '/v1/workflows/wide/runs', { runs });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    for (const i of [0, 417, 999]) {
      const found = await h.api<{ items: { id: string }[] }>('GET', `/v1/executions?input.k0=k0-${i}&input.k11=k11-${i}`);
      expect(found.body.items.map((e) => e.id)).toEqual([res.body.items[i]!.executionId]);
    }
  }, 120_000);

  it('starts 300 executions of a 40-task workflow: more task runs than one statement of either store takes', async () => {
    // The first step waits for a person, so nothing runs meanwhile: 12,000 pending task runs.
    await h.apply({
      id: 'long',
      name: 'Long',
      tasks: [
        { id: 't0', type: 'manual', with: { description: 'Go ahead?' } },
        ...Array.from({ length: 39 }, (_, i) => ({ id: `t${i + 1}`, type: 'log', needs: [`t${i}`], with: { message: `step ${i + 1}` } })),
      ],
    });
    const res = await h.api<Started>('POST', '/v1/workflows/long/runs', { runs: Array.from({ length: 300 }, () => ({ inputs: {} })) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.items).toHaveLength(300);
    await waitFor(
      async () => ((await h.api<Count>('GET', '/v1/workflows/long/executions/count?status=waiting')).body.count === 300 ? true : undefined),
      '300 executions to wait for their first step',
      60_000,
    );
    const last = (await h.api<ExecutionView>('GET', `/v1/executions/${res.body.items[299]!.executionId}`)).body;
    expect(last.taskRuns).toHaveLength(40);
    expect(last.taskRuns.filter((r) => r.status === 'waiting').map((r) => r.taskId)).toEqual(['t0']);
  }, 120_000);

  it('needs a credential, and a member owns what they start and sees only that', async () => {
    const anonymous = await h.api<Problem>('POST', '/v1/workflows/deploy/runs', { runs: [{ inputs: { server: 'x' } }] }, null);
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    await insertUser(h.store.db, {
      id: newId(),
      username: 'mia',
      passwordHash: await hashPassword('mia-password'),
      role: 'member',
      now: new Date().toISOString(),
    });
    const mia = (await h.api<{ token: string }>('POST', '/v1/auth/login', { username: 'mia', password: 'mia-password' }, null)).body.token;
    const adminRuns = await h.api<Started>('POST', '/v1/workflows/deploy/runs', { runs: [{ inputs: { server: 'admin' } }] });
    const own = await h.api<Started>(
      'POST',
      '/v1/workflows/deploy/runs',
      { runs: [{ inputs: { server: 'm1' } }, { inputs: { server: 'm2' } }] },
      mia,
    );
    expect(own.status).toBe(202);
    const seen = await h.api<{ items: { id: string; triggeredBy: string | null }[] }>('GET', '/v1/executions', undefined, mia);
    expect(seen.body.items.map((e) => e.id).sort()).toEqual(own.body.items.map((s) => s.executionId).sort());
    expect((await h.api('GET', `/v1/executions/${adminRuns.body.items[0]!.executionId}`, undefined, mia)).status).toBe(404);
  });
});
