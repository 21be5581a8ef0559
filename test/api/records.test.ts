import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, createSecondEngine, type ExecutionView, type Harness, type TaskRunView } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/** A procedure: two manual steps around an automated one, a document and variables (one secret). */
const procedure = {
  id: 'restart_service',
  name: 'Restart a service',
  inputs: {
    server: { type: 'string', required: true },
    service: { type: 'string', default: 'nginx' },
    api_token: { type: 'string', secret: true },
  },
  doc: '# Restart {{ inputs.service }} on {{ inputs.server }}\n\nToken: {{ inputs.api_token }}\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>',
  tasks: [
    { id: 'drain', type: 'manual', with: { description: 'Drain {{ inputs.server }} from the load balancer' } },
    { id: 'restart', type: 'log', needs: ['drain'], with: { message: 'restarting {{ inputs.service }}' } },
    { id: 'verify', type: 'manual', needs: ['restart'], with: { description: 'Check the dashboard' } },
  ],
};

interface RecordView extends ExecutionView {
  title: string | null;
  notes: string | null;
  trigger: string;
  triggeredByUsername: string | null;
}

describeEachDialect('human-run records', (dialect) => {
  let h: Harness;
  let memberToken: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply(procedure);
    await h.api('POST', '/v1/admin/users', { username: 'olga', password: 'olga-password' });
    memberToken = (await h.auth.login('olga', 'olga-password')).token;
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function start(inputs: Record<string, unknown>, token: string = memberToken): Promise<string> {
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/restart_service/run', { inputs, procedure: true }, token);
    expect(res.status).toBe(202);
    return res.body.executionId;
  }

  async function view(id: string, token: string = h.adminToken): Promise<RecordView> {
    const res = await h.api<RecordView>('GET', `/v1/executions/${id}`, undefined, token);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** Waits until the step's latest attempt has the status (steps move in the background). */
  async function step(id: string, taskId: string, status: string): Promise<TaskRunView> {
    for (let i = 0; i < 200; i++) {
      const run = (await view(id)).taskRuns.filter((r) => r.taskId === taskId).at(-1);
      if (run?.status === status) return run;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`step ${taskId} never became ${status}`);
  }

  async function complete(id: string, run: TaskRunView, body: Record<string, unknown> = { status: 'succeeded' }) {
    return h.api<TaskRunView>('POST', `/v1/executions/${id}/steps/${run.id}/complete`, body, memberToken);
  }

  it('starts as a running manual record with a default title of name, date and key variables (never a secret)', async () => {
    const id = await start({ server: 'web-01', api_token: 'tok-SECRET-1' });
    await step(id, 'drain', 'waiting');
    const record = await view(id);
    // running, not waiting, while its step waits: a person is working through it
    expect(record).toMatchObject({ trigger: 'manual', status: 'running', triggeredByUsername: 'olga' });
    expect(record.startedAt).not.toBeNull();
    expect(record.title).toBe(`Restart a service · ${new Date().toISOString().slice(0, 10)} · server=web-01`);
  });

  it('serves the version as a procedure: document and the variables form (defaults, required, secret)', async () => {
    const res = await h.api<{ doc: string; inputs: Record<string, unknown>[] }>('GET', '/v1/workflows/restart_service/versions/1');
    expect(res.status).toBe(200);
    expect(res.body.doc).toBe(procedure.doc);
    expect(res.body.inputs).toEqual([
      { name: 'server', type: 'string', required: true, secret: false, default: null, description: null },
      { name: 'service', type: 'string', required: false, secret: false, default: 'nginx', description: null },
      { name: 'api_token', type: 'string', required: false, secret: true, default: null, description: null },
    ]);
    expect((await h.api('GET', '/v1/workflows/restart_service/versions/9')).status).toBe(404);
  });

  it('refuses a start without a required variable, naming the field', async () => {
    const res = await h.api<{ code: string; details: { problems: string[] } }>(
      'POST',
      '/v1/workflows/restart_service/run',
      { inputs: { service: 'x' }, procedure: true },
      memberToken,
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_INPUTS');
    expect(res.body.details.problems.join('\n')).toMatch(/server/);
  });

  it('renders the document with the values, the secret masked, and no script, handler or javascript: link', async () => {
    const id = await start({ server: 'web-01', api_token: 'tok-SECRET-1' });
    const res = await h.api<{ markdown: string; html: string }>('GET', `/v1/executions/${id}/document`, undefined, memberToken);
    expect(res.status).toBe(200);
    expect(res.body.markdown).toContain('Restart nginx on web\\-01'); // values are escaped to read as text
    expect(res.body.markdown).toContain('Token: \\*\\*\\*');
    expect(JSON.stringify(res.body)).not.toContain('tok-SECRET-1');
    expect(res.body.html).toContain('<h1>Restart nginx on web-01</h1>');
    expect(res.body.html).not.toMatch(/<script|javascript:|onerror/i);
  });

  it('keeps step notes as drafts, keeps them on completion, adds steps, and completes the record once every step ended', async () => {
    const id = await start({ server: 'web-01', api_token: 'tok-SECRET-1' });
    const drain = await step(id, 'drain', 'waiting');
    const draft = await h.api<TaskRunView>(
      'PATCH',
      `/v1/executions/${id}/steps/${drain.id}`,
      { notes: 'drained 2 of 3 pools' },
      memberToken,
    );
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ status: 'waiting', notes: 'drained 2 of 3 pools' });
    const saved = await h.api<RecordView>('PATCH', `/v1/executions/${id}`, { notes: 'Ticket OPS-12; token tok-SECRET-1' }, memberToken);
    expect(saved.body).toMatchObject({ status: 'running', notes: 'Ticket OPS-12; token ***' });

    const done = await complete(id, drain);
    expect(done.body).toMatchObject({ status: 'succeeded', notes: 'drained 2 of 3 pools' });
    expect(done.body.completedBy).not.toBeNull();

    const extra = await h.api<TaskRunView>('POST', `/v1/executions/${id}/steps`, { description: 'Flush the CDN cache' }, memberToken);
    expect(extra.status).toBe(201);
    expect(extra.body).toMatchObject({
      taskId: 'extra_1',
      type: 'manual',
      status: 'waiting',
      input: { description: 'Flush the CDN cache' },
    });

    const early = await h.api<{ code: string; details: { steps: string[] } }>(
      'PATCH',
      `/v1/executions/${id}`,
      { status: 'completed', notes: 'not yet' },
      memberToken,
    );
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('STEPS_OPEN');
    expect(early.body.details.steps).toEqual(expect.arrayContaining(['verify', 'extra_1']));
    expect((await view(id)).notes).toBe('Ticket OPS-12; token ***'); // the refused PATCH changed nothing

    await complete(id, await step(id, 'verify', 'waiting'), { status: 'succeeded', notes: 'all green' });
    await complete(id, extra.body, { status: 'succeeded' });
    // every step ended, yet the record waits for the person to complete it
    expect((await view(id)).status).toBe('running');
    const title = await h.api<RecordView>('PATCH', `/v1/executions/${id}`, { title: 'Restart web-01 after OPS-12' }, memberToken);
    expect(title.body.title).toBe('Restart web-01 after OPS-12');
    const ended = await h.api<RecordView>('PATCH', `/v1/executions/${id}`, { status: 'completed' }, memberToken);
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('completed');
    expect(ended.body.completedAt).not.toBeNull();

    for (const [method, url, body] of [
      ['PATCH', `/v1/executions/${id}`, { notes: 'late' }],
      ['PATCH', `/v1/executions/${id}/steps/${drain.id}`, { notes: 'late' }],
      ['POST', `/v1/executions/${id}/steps`, { description: 'late' }],
    ] as const) {
      const res = await h.api<{ code: string }>(method, url, body, memberToken);
      expect([res.status, res.body.code]).toEqual([409, 'RECORD_ENDED']);
    }

    const audit = await h.api<{
      items: { eventType: string; actor: { username: string | null }; metadata: unknown }[];
      verification: { ok: boolean };
    }>('GET', `/v1/executions/${id}/audit`);
    expect(audit.body.verification.ok).toBe(true);
    const byPerson = audit.body.items.filter((e) => e.actor.username === 'olga').map((e) => e.eventType);
    expect(byPerson).toEqual(expect.arrayContaining(['CREATED', 'STEP_NOTES_UPDATED', 'RECORD_UPDATED', 'STEP_ADDED', 'COMPLETED']));
    expect(JSON.stringify(audit.body)).not.toContain('tok-SECRET-1');
  });

  it('marks a record failed with the reason: open steps are cancelled', async () => {
    const id = await start({ server: 'web-02' });
    await step(id, 'drain', 'waiting');
    const res = await h.api<RecordView>(
      'PATCH',
      `/v1/executions/${id}`,
      { status: 'failed', notes: 'load balancer unreachable' },
      memberToken,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', notes: 'load balancer unreachable', error: { code: 'RECORD_FAILED' } });
    expect(res.body.error?.message).toBe('load balancer unreachable');
    expect(res.body.taskRuns.map((r) => [r.taskId, r.status])).toEqual([
      ['drain', 'cancelled'],
      ['restart', 'cancelled'],
      ['verify', 'cancelled'],
    ]);
  });

  it('ends machine runs by their tasks only: a status change is refused', async () => {
    await h.apply({ id: 'machine', name: 'Machine', tasks: [{ id: 'wait', type: 'manual' }] });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/machine/run', {});
    await step(body.executionId, 'wait', 'waiting');
    const res = await h.api<{ code: string }>('PATCH', `/v1/executions/${body.executionId}`, { status: 'completed' });
    expect([res.status, res.body.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('carries on a record with an added step in another process after the first one died', async () => {
    const id = await start({ server: 'web-03' });
    await step(id, 'drain', 'waiting');
    const extra = await h.api<TaskRunView>('POST', `/v1/executions/${id}/steps`, { description: 'Call the on-call' }, memberToken);
    await h.engine.die();
    const next = await createSecondEngine(h, { workerId: 'second-life' });
    try {
      const actor = { kind: 'user' as const, userId: null, username: 'ops', role: 'admin' as const };
      await next.completeManualStep(id, extra.body.id, { status: 'succeeded', notes: null, actor });
      const second = await next.addStep(id, 'Second extra', actor);
      expect(second.taskId).toBe('extra_2');
    } finally {
      await next.shutdown();
    }
  });

  it('soft-deletes an ended record with an audit event, hides it, and lets an admin list and restore it within the grace period', async () => {
    const id = await start({ server: 'web-04' });
    await step(id, 'drain', 'waiting');
    const running = await h.api<{ code: string }>('DELETE', `/v1/executions/${id}`, undefined, memberToken);
    expect([running.status, running.body.code]).toEqual([409, 'EXECUTION_NOT_ENDED']);
    await h.api('PATCH', `/v1/executions/${id}`, { status: 'failed', notes: 'wrong server' }, memberToken);

    const deleted = await h.api<{ deletedAt: string }>('DELETE', `/v1/executions/${id}`, undefined, memberToken);
    expect(deleted.status).toBe(200);
    expect((await h.api('GET', `/v1/executions/${id}`, undefined, memberToken)).status).toBe(404);
    expect((await h.api('GET', `/v1/executions/${id}`)).status).toBe(404);
    const listed = await h.api<{ items: { id: string }[] }>('GET', '/v1/executions?procedure=restart_service');
    expect(listed.body.items.map((e) => e.id)).not.toContain(id);
    const adminView = await h.api<{ items: { id: string }[] }>('GET', '/v1/executions?deleted=true');
    expect(adminView.body.items.map((e) => e.id)).toEqual([id]);
    expect((await h.api<{ code: string }>('GET', '/v1/executions?deleted=true', undefined, memberToken)).status).toBe(403);

    expect((await h.api('POST', `/v1/executions/${id}/restore`, undefined, memberToken)).status).toBe(403);
    const restored = await h.api<RecordView>('POST', `/v1/executions/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.status).toBe('failed');
    expect((await h.api('GET', `/v1/executions/${id}`, undefined, memberToken)).status).toBe(200);

    const audit = await h.api<{ items: { eventType: string; actor: { username: string | null } }[]; verification: { ok: boolean } }>(
      'GET',
      `/v1/executions/${id}/audit`,
    );
    expect(audit.body.verification.ok).toBe(true);
    expect(audit.body.items.map((e) => [e.eventType, e.actor.username]).filter(([t]) => t === 'DELETED' || t === 'RESTORED')).toEqual([
      ['DELETED', 'olga'],
      ['RESTORED', 'admin'],
    ]);

    // past the grace period (7 days by default) the record cannot come back
    await h.api('DELETE', `/v1/executions/${id}`, undefined, memberToken);
    const longAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await h.store.db.updateTable('executions').set({ deleted_at: longAgo }).where('id', '=', id).execute();
    const late = await h.api<{ code: string }>('POST', `/v1/executions/${id}/restore`);
    expect([late.status, late.body.code]).toEqual([409, 'RESTORE_EXPIRED']);
  });

  it('finds records by procedure (id or name), executor (name or id), variable, keyword and status, naming procedure and executor', async () => {
    const a = await start({ server: 'web-01' });
    const b = await start({ server: 'web-02' }, h.adminToken);
    await h.apply({ id: 'other_proc', name: 'Rotate certificates', tasks: [{ id: 'go', type: 'manual' }] });
    const c = (await h.api<{ executionId: string }>('POST', '/v1/workflows/other_proc/run', { procedure: true }, memberToken)).body
      .executionId;
    await step(a, 'drain', 'waiting');
    await h.api('PATCH', `/v1/executions/${a}`, { notes: 'Maintenance window MW-7' }, memberToken);
    const olga = (await h.api<{ id: string }>('GET', '/v1/me', undefined, memberToken)).body.id;

    const ids = async (query: string) =>
      (await h.api<{ items: { id: string }[] }>('GET', `/v1/executions?${query}`)).body.items.map((e) => e.id).sort();
    expect(await ids('procedure=restart_service')).toEqual([a, b].sort());
    expect(await ids('procedure=RESTART')).toEqual([a, b].sort());
    expect(await ids('procedure=certificates')).toEqual([c]);
    expect(await ids('procedure=nothing_like_it')).toEqual([]);
    expect(await ids('executor=olga')).toEqual([a, c].sort());
    expect(await ids(`executor=${olga}`)).toEqual([a, c].sort());
    expect(await ids('executor=nobody')).toEqual([]);
    expect(await ids('procedure=restart&executor=olga&input.server=web-01')).toEqual([a]);
    expect(await ids('keyword=mw-7')).toEqual([a]);
    expect(await ids('status=running&procedure=restart_service')).toEqual([a, b].sort());

    const page = await h.api<{ items: Record<string, unknown>[] }>('GET', `/v1/executions?procedure=certificates`);
    expect(page.body.items[0]).toMatchObject({
      id: c,
      title: expect.stringMatching(/^Rotate certificates · \d{4}-\d{2}-\d{2}$/),
      workflowId: 'other_proc',
      workflowName: 'Rotate certificates',
      triggeredByUsername: 'olga',
      status: 'running',
      startedAt: expect.any(String),
    });
  });
});
