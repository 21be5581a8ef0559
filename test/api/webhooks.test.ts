import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/** Signed webhooks over a real HTTP server: the harness's app listens on a port, requests go through fetch. */

const definition = {
  id: 'deployer',
  name: 'Deployer',
  inputs: { env: { type: 'string', default: 'staging' } },
  triggers: [{ id: 'deploy_hook', webhook: {}, inputs: { env: 'prod' } }],
  tasks: [{ id: 'announce', type: 'log', with: { message: 'deploying {{ trigger.body.ref }} to {{ inputs.env }} ({{ trigger.id }})' } }],
};

function sign(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const hmac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-runledger-timestamp': String(timestamp), 'x-runledger-signature': `sha256=${hmac}` };
}

describeEachDialect('webhook triggers', (dialect) => {
  let h: Harness;
  let base: string;
  let secret: string;

  beforeEach(async () => {
    h = await createHarness(dialect);
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await h.api<{ webhookSecrets?: Record<string, string> }>('POST', '/v1/workflows', definition);
    expect(created.status).toBe(201);
    secret = created.body.webhookSecrets!.deploy_hook!;
  });
  afterEach(() => h.dispose());

  const post = async (body: string | Buffer, headers: Record<string, string>, trigger = 'deploy_hook') => {
    const res = await fetch(`${base}/v1/workflows/deployer/webhooks/${trigger}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
  const rejections = async () =>
    (
      await h.api<{ items: { eventType: string; metadata: Record<string, unknown> }[] }>('GET', '/v1/audit?subjectType=workflow&limit=1000')
    ).body.items.filter((e) => e.eventType === 'WEBHOOK_REJECTED');
  const executionCount = async () => (await h.store.db.selectFrom('executions').select('id').execute()).length;

  it('the secret is shown once at creation and kept sealed', async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const again = await h.api<Record<string, unknown>>('PUT', '/v1/workflows/deployer', definition);
    expect(again.status).toBe(200);
    expect(again.body).not.toHaveProperty('webhookSecrets');
    const shown = await h.api('GET', '/v1/workflows/deployer');
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    const row = await h.store.db.selectFrom('webhook_secrets').selectAll().executeTakeFirstOrThrow();
    expect(row.sealed_secret).not.toContain(secret);
    expect(row.sealed_secret).not.toContain(secret.slice(6, 30));
  });

  it('a good signature starts an execution (trigger webhook) whose templates read the body', async () => {
    const body = JSON.stringify({ ref: 'v1.2.3', pusher: 'ada' });
    const res = await post(body, sign(secret, body));
    expect(res.status).toBe(202);
    const executionId = res.body.executionId as string;
    await h.engine.waitForExecution(executionId, 20_000);
    const view = await h.api<{ status: string; trigger: string; taskRuns: { output: unknown }[] }>('GET', `/v1/executions/${executionId}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.trigger).toBe('webhook');
    expect(JSON.stringify(view.body.taskRuns[0]!.output)).toContain('deploying v1.2.3 to prod (deploy_hook)');
    const row = await h.store.db
      .selectFrom('executions')
      .select(['trigger_id', 'trigger_body'])
      .where('id', '=', executionId)
      .executeTakeFirstOrThrow();
    expect(row.trigger_id).toBe('deploy_hook');
    expect(typeof row.trigger_body === 'string' ? JSON.parse(row.trigger_body) : row.trigger_body).toEqual({
      ref: 'v1.2.3',
      pusher: 'ada',
    });
    const audit = await h.api<{ items: { eventType: string; metadata: Record<string, unknown> }[] }>(
      'GET',
      `/v1/executions/${executionId}/audit`,
    );
    expect(audit.body.items.find((e) => e.eventType === 'CREATED')!.metadata).toMatchObject({
      trigger: 'webhook',
      triggerId: 'deploy_hook',
      sourceIp: '127.0.0.1',
    });
  });

  it('conditions and for_each read the webhook body too', async () => {
    const gated = await h.api<{ webhookSecrets?: Record<string, string> }>('POST', '/v1/workflows', {
      id: 'gated',
      name: 'Gated',
      triggers: [{ id: 'push', webhook: {} }],
      tasks: [
        { id: 'main_only', type: 'log', if: "has(trigger.body.ref) && trigger.body.ref == 'refs/heads/main'", with: { message: 'main' } },
        { id: 'each', type: 'log', for_each: '{{ trigger.body.servers }}', with: { message: '{{ item }} via {{ trigger.id }}' } },
      ],
    });
    expect(gated.status).toBe(201);
    const pushSecret = gated.body.webhookSecrets!.push!;
    const run = async (payload: unknown) => {
      const body = JSON.stringify(payload);
      const res = await fetch(`${base}/v1/workflows/gated/webhooks/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(pushSecret, body) },
        body,
      });
      expect(res.status).toBe(202);
      const { executionId } = (await res.json()) as { executionId: string };
      await h.engine.waitForExecution(executionId, 20_000);
      return (
        await h.api<{ status: string; taskRuns: { taskId: string; status: string; itemIndex: number | null; item: unknown }[] }>(
          'GET',
          `/v1/executions/${executionId}`,
        )
      ).body;
    };
    const onMain = await run({ ref: 'refs/heads/main', servers: ['web-01', 'web-02'] });
    expect(onMain.status).toBe('completed');
    expect(onMain.taskRuns.find((r) => r.taskId === 'main_only')!.status).toBe('succeeded');
    expect(onMain.taskRuns.filter((r) => r.itemIndex !== null).map((r) => r.item)).toEqual(['web-01', 'web-02']);
    const onBranch = await run({ ref: 'refs/heads/topic', servers: ['web-03'] });
    expect(onBranch.taskRuns.find((r) => r.taskId === 'main_only')!.status).toBe('skipped');
    expect(onBranch.taskRuns.filter((r) => r.itemIndex !== null).map((r) => r.item)).toEqual(['web-03']);
  });

  it('a replayed request is refused with 409 and audited', async () => {
    const body = '{"ref":"main"}';
    const headers = sign(secret, body);
    expect((await post(body, headers)).status).toBe(202);
    const replay = await post(body, headers);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ code: 'WEBHOOK_REPLAYED' });
    expect(await executionCount()).toBe(1);
    expect((await rejections()).map((e) => e.metadata.reason)).toEqual(['replayed']);
  });

  it('bad, missing and stale signatures are 401 problems, audited, and start nothing', async () => {
    const body = '{"ref":"main"}';
    const wrong = await post(body, sign('whsec_not-the-secret', body));
    expect(wrong.status).toBe(401);
    expect(wrong.type).toMatch(/application\/problem\+json/);
    expect(wrong.body).toMatchObject({ status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' });

    const tampered = await post('{"ref":"evil"}', sign(secret, body));
    expect(tampered.body).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });

    const missing = await post(body, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });

    const stale = await post(body, sign(secret, body, Math.floor(Date.now() / 1000) - 600));
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_WINDOW' });

    expect(await executionCount()).toBe(0);
    const reasons = (await rejections()).map((e) => e.metadata.reason).sort();
    expect(reasons).toEqual([
      'missing signature or timestamp',
      'signature does not match',
      'signature does not match',
      'timestamp outside the replay window',
    ]);
    for (const event of await rejections()) expect(event.metadata).toMatchObject({ triggerId: 'deploy_hook', sourceIp: '127.0.0.1' });
    expect((await h.api<{ ok: boolean }>('GET', '/v1/audit/verify')).body.ok).toBe(true);
  });

  it('a body over 1 MiB is refused with 413; an unknown trigger is 404', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(1024 * 1024) });
    const res = await post(big, sign(secret, big));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const body = '{}';
    const unknown = await post(body, sign(secret, body), 'no_such_hook');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'WEBHOOK_NOT_FOUND' });
    expect(await executionCount()).toBe(0);
  });

  it('a signed body that is not JSON is refused with 400', async () => {
    const body = 'ref=main';
    const res = await post(body, { ...sign(secret, body), 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('rotation (authenticated) gives a new secret and the old one stops working', async () => {
    const anonymous = await fetch(`${base}/v1/workflows/deployer/webhooks/deploy_hook/secret`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const rotated = await h.api<{ secret: string; url: string }>('POST', '/v1/workflows/deployer/webhooks/deploy_hook/secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.url).toBe('/v1/workflows/deployer/webhooks/deploy_hook');
    expect(rotated.body.secret).not.toBe(secret);
    const body = '{"ref":"after-rotation"}';
    const old = await post(body, sign(secret, body));
    expect(old.status).toBe(401);
    expect(old.body).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    // Bytes with no content type at all are read the same way: the signature covers the bytes.
    const bare = await fetch(`${base}/v1/workflows/deployer/webhooks/deploy_hook`, {
      method: 'POST',
      headers: sign(rotated.body.secret, body),
      body: new Uint8Array(Buffer.from(body)),
    });
    expect(bare.status).toBe(202);
    const audit = await h.api<{ items: { eventType: string; metadata: Record<string, unknown> }[] }>(
      'GET',
      '/v1/audit?subjectType=workflow',
    );
    expect(audit.body.items.filter((e) => e.eventType === 'WEBHOOK_SECRET_ROTATED')).toHaveLength(1);
    // A member who may not edit workflows may list schedules, not rotate secrets.
    expect((await h.api('POST', '/v1/admin/users', { username: 'mia', password: 'mia-password-1' })).status).toBe(201);
    const { token: member } = await h.auth.login('mia', 'mia-password-1');
    const refused = await h.api<{ code: string }>('POST', '/v1/workflows/deployer/webhooks/deploy_hook/secret', undefined, member);
    expect(refused.status).toBe(403);
    expect((await h.api('GET', '/v1/schedules', undefined, member)).status).toBe(200);
    const unknown = await h.api<{ code: string }>('POST', '/v1/workflows/deployer/webhooks/nope/secret');
    expect(unknown.body.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('examples/scheduled-report.yaml applies, runs by hand and from its webhook', async () => {
    const applied = await h.api<{ webhookSecrets: Record<string, string> }>(
      'PUT',
      '/v1/workflows/scheduled_report',
      fs.readFileSync('examples/scheduled-report.yaml', 'utf8'),
    );
    expect(applied.status).toBe(201);
    const byHand = await h.runToEnd('scheduled_report');
    expect(byHand.status).toBe('completed');
    expect(JSON.stringify(byHand.taskRuns.find((r) => r.taskId === 'announce')!.output)).toContain('report for staging, started by api');
    const body = '{}';
    const ts = Math.floor(Date.now() / 1000);
    const hmac = crypto.createHmac('sha256', applied.body.webhookSecrets.on_demand!).update(`${ts}.${body}`).digest('hex');
    const res = await fetch(`${base}/v1/workflows/scheduled_report/webhooks/on_demand`, {
      method: 'POST',
      headers: { 'x-runledger-timestamp': String(ts), 'x-runledger-signature': `sha256=${hmac}` },
      body,
    });
    expect(res.status).toBe(202);
    const { executionId } = (await res.json()) as { executionId: string };
    expect(await h.engine.waitForExecution(executionId, 20_000)).toBe('completed');
    const view = await h.api<{ taskRuns: { taskId: string; output: unknown }[] }>('GET', `/v1/executions/${executionId}`);
    expect(JSON.stringify(view.body.taskRuns.find((r) => r.taskId === 'announce')!.output)).toContain('started by webhook');
  });
});
