import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { newId } from '../../src/domain/ids.ts';
import sharp from 'sharp';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { fileForm } from '../support/multipart.ts';
import { DIALECTS } from '../support/stores.ts';

/**
 * The access policy as a table: for every route and every kind of actor, the status it gets.
 * docs/access.md shows the same policy for people.
 *
 *   anon     no token
 *   owner    the member who triggered the execution
 *   other    another member, not shared with
 *   shared   a member the execution is shared with
 *   group    a member of a group the execution is shared with
 *   admin    an administrator
 *   revoked  the owner's revoked API token
 *   expired  the owner's expired API token
 *   disabled a user that was shared with, then disabled
 */
const ACTORS = ['anon', 'owner', 'other', 'shared', 'group', 'admin', 'revoked', 'expired', 'disabled'] as const;
type ActorKind = (typeof ACTORS)[number];
type Row = [method: string, route: string, body: unknown, expected: Partial<Record<ActorKind, number>> & { default: number }];

// 409 means "allowed, but the execution has ended": the check passed and the state machine answered.
const MATRIX: Row[] = [
  ['GET', '/v1/executions/:id', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/tasks/:taskRunId', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/audit', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/logs', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/logs?follow=true', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/tasks/:taskRunId/audit', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/step-audit', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/shares', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/directory?q=a', undefined, { default: 200 }],
  ['PUT', '/v1/executions/:id/shares', 'same-shares', { default: 403, owner: 200, admin: 200, other: 404 }],
  ['POST', '/v1/executions/:id/cancel', {}, { default: 403, owner: 409, admin: 409, other: 404 }],
  ['POST', '/v1/executions/:id/steps/:taskRunId/complete', { status: 'succeeded' }, { default: 403, owner: 409, admin: 409, other: 404 }],
  ['GET', '/v1/executions', undefined, { default: 200 }],
  ['GET', '/v1/workflows/matrix/executions', undefined, { default: 200 }],
  ['GET', '/v1/executions/count', undefined, { default: 200 }],
  ['GET', '/v1/workflows/matrix/executions/count', undefined, { default: 200 }],
  ['GET', '/v1/workflows', undefined, { default: 200 }],
  ['GET', '/v1/procedures', undefined, { default: 200 }],
  ['GET', '/v1/workflows/matrix', undefined, { default: 200 }],
  ['GET', '/v1/workflows/matrix/versions', undefined, { default: 200 }],
  ['PUT', '/v1/workflows/matrix', 'definition', { default: 403, admin: 200, group: 200 }],
  ['DELETE', '/v1/workflows/no_such_workflow', undefined, { default: 403, admin: 404, group: 404 }],
  ['GET', '/v1/me', undefined, { default: 200 }],
  ['GET', '/v1/tokens', undefined, { default: 200 }],
  ['GET', '/v1/admin/users', undefined, { default: 403, admin: 200 }],
  ['GET', '/v1/audit', undefined, { default: 403, admin: 200 }],
  ['GET', '/v1/admin/retention/stats', undefined, { default: 403, admin: 200 }],
  ['POST', '/v1/admin/retention/cleanup', { dryRun: true }, { default: 403, admin: 200 }],
  ['GET', '/v1/audit/verify', undefined, { default: 403, admin: 200 }],
  ['GET', '/v1/audit/export', undefined, { default: 403, admin: 200 }],
  ['GET', '/v1/audit/checkpoints/latest', undefined, { default: 403, admin: 200 }],
  ['GET', '/v1/admin/groups', undefined, { default: 403, admin: 200 }],
  ['POST', '/v1/admin/groups', { name: 'matrix-probe' }, { default: 403, admin: 201 }],
  // Evidence: an attachment added while the execution waited at its manual step.
  ['POST', '/v1/executions/:id/steps/:taskRunId/attachments', 'upload', { default: 403, owner: 409, admin: 409, other: 404 }],
  ['GET', '/v1/executions/:id/attachments', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/attachments/:attachmentId', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/attachments/:attachmentId/url', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/attachments/:attachmentId/thumbnail', undefined, { default: 200, other: 404 }],
  ['DELETE', '/v1/attachments/:attachmentId', undefined, { default: 403, owner: 409, admin: 409, other: 404 }],
  ['GET', '/v1/admin/attachments/check', undefined, { default: 403, admin: 200 }],
  // Human-run records (the execution has ended, so changes answer 409 to those allowed to make them).
  ['GET', '/v1/workflows/matrix/versions/1', undefined, { default: 200 }],
  ['GET', '/v1/executions/:id/document', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/executions/:id/export', undefined, { default: 200, other: 404 }],
  ['GET', '/v1/attachments-limits', undefined, { default: 200 }],
  ['PATCH', '/v1/executions/:id', { notes: 'probe' }, { default: 403, owner: 409, admin: 409, other: 404 }],
  ['POST', '/v1/executions/:id/steps', { description: 'probe' }, { default: 403, owner: 409, admin: 409, other: 404 }],
  ['PATCH', '/v1/executions/:id/steps/:taskRunId', { notes: 'probe' }, { default: 403, owner: 409, admin: 409, other: 404 }],
  // Deleted, then restored by an admin at once, so every actor meets the same execution.
  ['DELETE', '/v1/executions/:id', undefined, { default: 403, owner: 200, admin: 200, other: 404 }],
  // Only deleted executions can be restored: this one is not, so the admin is told it is not found.
  ['POST', '/v1/executions/:id/restore', undefined, { default: 403, admin: 404 }],
  ['GET', '/v1/executions?deleted=true', undefined, { default: 403, admin: 200 }],
];
// Without valid credentials, every route answers 401 whatever else is true.
const UNAUTHENTICATED: ActorKind[] = ['anon', 'revoked', 'expired', 'disabled'];

// The manual step holds the execution open long enough to attach evidence; then it is completed.
const definition = {
  id: 'matrix',
  name: 'Matrix',
  tasks: [
    { id: 'step', type: 'log', with: { message: 'hi' } },
    { id: 'confirm', type: 'manual', needs: ['step'] },
  ],
};

for (const dialect of DIALECTS) {
  describe(`access matrix [${dialect}]`, () => {
    let h: Harness;
    const tokens = {} as Record<ActorKind, string | null>;
    const ids = {} as Record<string, string>;
    let executionId: string;
    let taskRunId: string;
    let otherExecutionId: string;
    let attachmentId: string;

    async function member(username: string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
      const res = await h.api<{ id: string }>('POST', '/v1/admin/users', { username, password: `${username}-password`, ...extra });
      expect(res.status).toBe(201);
      const login = await h.api<{ token: string }>('POST', '/v1/auth/login', { username, password: `${username}-password` }, null);
      return { id: res.body.id, token: login.body.token };
    }

    beforeAll(async () => {
      h = await createHarness(dialect);
      const owner = await member('olivia');
      const other = await member('oscar');
      const shared = await member('sam');
      const grouped = await member('gina', { canEditWorkflows: true });
      const disabled = await member('dora');
      Object.assign(ids, { owner: owner.id, shared: shared.id, group: grouped.id, disabled: disabled.id });
      await h.apply(definition);
      const run = await h.api<{ executionId: string }>('POST', '/v1/workflows/matrix/run', {}, owner.token);
      executionId = run.body.executionId;
      const confirm = await waitingStep(executionId);
      taskRunId = (await h.api<ExecutionView>('GET', `/v1/executions/${executionId}`)).body.taskRuns.find((r) => r.taskId === 'step')!.id;
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .png()
        .toBuffer();
      const uploaded = await upload(fileForm('evidence.png', png), owner.token);
      expect(uploaded.statusCode).toBe(201);
      attachmentId = uploaded.json<{ id: string }>().id;
      await h.attachments.thumbnailsIdle();
      await completeStep(executionId, confirm, owner.token);
      const otherRun = await h.api<{ executionId: string }>('POST', '/v1/workflows/matrix/run', {}, other.token);
      otherExecutionId = otherRun.body.executionId;
      await completeStep(otherExecutionId, await waitingStep(otherExecutionId), other.token);

      const group = await h.api<{ id: string }>('POST', '/v1/admin/groups', { name: 'ops' });
      ids.groupId = group.body.id;
      expect((await h.api('PUT', `/v1/admin/groups/${group.body.id}/members/${grouped.id}`)).status).toBe(200);
      const share = await h.api(
        'PUT',
        `/v1/executions/${executionId}/shares`,
        { scope: 'shared', users: ['sam', disabled.id], groups: ['ops'] },
        owner.token,
      );
      expect(share.status).toBe(200);

      const revoked = await h.api<{ id: string; token: string }>('POST', '/v1/tokens', { name: 'gone' }, owner.token);
      await h.api('DELETE', `/v1/tokens/${revoked.body.id}`, undefined, owner.token);
      // the API refuses a past expiry, so the expired token is made the way time makes one
      const expired = { body: await h.auth.createApiToken(owner.id, 'old', '2021-01-01T00:00:00.000Z') };
      expect((await h.api('PATCH', `/v1/admin/users/${disabled.id}`, { disabled: true })).status).toBe(200);

      Object.assign(tokens, {
        anon: null,
        owner: owner.token,
        other: other.token,
        shared: shared.token,
        group: grouped.token,
        admin: h.adminToken,
        revoked: revoked.body.token,
        expired: expired.body.token,
        disabled: disabled.token,
      });
    });
    afterAll(async () => {
      await h.dispose();
    });

    /** The id of the execution's manual step once it waits for a person. */
    async function waitingStep(id: string): Promise<string> {
      for (let i = 0; i < 250; i++) {
        const run = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body.taskRuns.find((r) => r.taskId === 'confirm');
        if (run?.status === 'waiting') return run.id;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`execution ${id} never waited for its manual step`);
    }

    async function completeStep(id: string, stepId: string, token: string): Promise<void> {
      const res = await h.api('POST', `/v1/executions/${id}/steps/${stepId}/complete`, { status: 'succeeded' }, token);
      expect(res.status).toBe(200);
      await h.engine.waitForExecution(id);
    }

    function upload(form: ReturnType<typeof fileForm>, token: string | null) {
      return h.app.inject({
        method: 'POST',
        url: `/v1/executions/${executionId}/steps/${taskRunId}/attachments`,
        headers: { ...form.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: form.payload,
      });
    }

    function bodyFor(body: unknown): unknown {
      if (body === 'definition') return definition;
      if (body === 'same-shares') return { scope: 'shared', users: ['sam', ids.disabled], groups: ['ops'] };
      return body;
    }

    for (const [method, route, body, expected] of MATRIX) {
      it(`${method} ${route}`, async () => {
        const url = route.replace(':id', executionId).replace(':taskRunId', taskRunId).replace(':attachmentId', attachmentId);
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        for (const actor of ACTORS) {
          const res =
            body === 'upload'
              ? await upload(fileForm('late.txt', 'late'), tokens[actor]).then((r) => ({ status: r.statusCode, body: r.json() }))
              : await h.api(method, url, bodyFor(body), tokens[actor]);
          got[actor] = res.status;
          want[actor] = UNAUTHENTICATED.includes(actor) ? 401 : (expected[actor] ?? expected.default);
          if (method === 'DELETE' && route === '/v1/executions/:id' && res.status === 200) {
            expect((await h.api('POST', `/v1/executions/${executionId}/restore`)).status).toBe(200);
          }
          if (method === 'POST' && route === '/v1/admin/groups' && res.status === 201) {
            await h.api('DELETE', `/v1/admin/groups/${(res.body as { id: string }).id}`);
          }
        }
        expect(got).toEqual(want);
      });
    }

    it('lists and counts only what each actor may read', async () => {
      const visible = async (actor: ActorKind, url: string) =>
        (await h.api<{ items: { id: string }[] }>('GET', url, undefined, tokens[actor])).body.items.map((e) => e.id);
      for (const url of ['/v1/executions', '/v1/workflows/matrix/executions', '/v1/executions?status=completed']) {
        expect(new Set(await visible('admin', url))).toEqual(new Set([executionId, otherExecutionId]));
        expect(await visible('owner', url)).toEqual([executionId]);
        expect(await visible('shared', url)).toEqual([executionId]);
        expect(await visible('group', url)).toEqual([executionId]);
        expect(await visible('other', url)).toEqual([otherExecutionId]);
      }
      const count = async (actor: ActorKind, url: string) =>
        (await h.api<{ count: number }>('GET', url, undefined, tokens[actor])).body.count;
      for (const url of ['/v1/executions/count', '/v1/workflows/matrix/executions/count', '/v1/executions/count?status=completed']) {
        expect(await count('admin', url)).toBe(2);
        for (const actor of ['owner', 'shared', 'group', 'other'] as const) expect(await count(actor, url), `${actor} ${url}`).toBe(1);
      }
    });

    it('answers a denied read exactly like a missing record, and records it for admins', async () => {
      const denied = await h.api<Record<string, unknown>>('GET', `/v1/executions/${executionId}`, undefined, tokens.other);
      const missingId = newId();
      const missing = await h.api<Record<string, unknown>>('GET', `/v1/executions/${missingId}`, undefined, tokens.other);
      const strip = (b: Record<string, unknown>, id: string) => JSON.parse(JSON.stringify(b).replaceAll(id, '<id>'));
      expect(strip(denied.body, executionId)).toEqual(strip(missing.body, missingId));
      expect(denied.headers['content-length']).toBe(missing.headers['content-length']);
      await h.app.deferredAudit.drain(); // written just after the answer
      const events = await h.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('event_type', '=', 'ACCESS_DENIED')
        .where('execution_id', '=', executionId)
        .execute();
      expect(events.length).toBeGreaterThan(0);
      expect(JSON.parse(String(events[0]!.actor))).toMatchObject({ username: 'oscar' });
    });

    it('refuses forged, tampered and expired session tokens', async () => {
      const key = new TextEncoder().encode('x'.repeat(40));
      const wrongKey = new TextEncoder().encode('y'.repeat(40));
      const sign = (k: Uint8Array, claims: { iss?: string; aud?: string; exp?: number | string } = {}) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(ids.owner!)
          .setIssuer(claims.iss ?? 'runledger')
          .setAudience(claims.aud ?? 'runledger-api')
          .setIssuedAt()
          .setExpirationTime(claims.exp ?? '1h')
          .sign(k);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const valid = await sign(key);
      expect((await h.api('GET', '/v1/me', undefined, valid)).status).toBe(200); // the key is right: the rest fail for their own reason
      const [header, , signature] = valid.split('.');
      const forged = [
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: ids.owner, iss: 'runledger', aud: 'runledger-api', exp: 9_999_999_999 })}.`,
        await sign(wrongKey),
        `${header}.${b64({ sub: h.adminToken ? ids.shared : '', iss: 'runledger', aud: 'runledger-api', exp: 9_999_999_999 })}.${signature}`,
        await sign(key, { iss: 'someone-else' }),
        await sign(key, { aud: 'another-api' }),
        await sign(key, { exp: Math.floor(Date.now() / 1000) - 60 }),
      ];
      for (const token of forged) {
        const res = await h.api<{ code: string }>('GET', `/v1/executions/${executionId}`, undefined, token);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
    });

    it('never skips the check through route tricks', async () => {
      const tricks = [
        `/v1/executions/${executionId}/`,
        `//v1//executions//${executionId}`,
        `/v1/executions/${executionId}?x=/docs`,
        `/v1/executions/..%2F..%2Fadmin%2Fusers`,
        `/v1/executions/..;/admin/users`,
        `/v1/executions/${executionId}%2F`,
        `/V1/EXECUTIONS/${executionId}`,
        `/docs/../v1/executions/${executionId}`,
        `/v1/admin/users/`,
      ];
      for (const url of tricks) {
        for (const actor of ['anon', 'other'] as const) {
          const res = await h.app.inject({
            method: 'GET',
            url,
            headers: tokens[actor] ? { authorization: `Bearer ${tokens[actor]}` } : {},
          });
          expect([400, 401, 403, 404], `${actor} GET ${url}`).toContain(res.statusCode);
          expect(res.body, `${actor} GET ${url}`).not.toContain('"taskRuns"');
          expect(res.body).not.toContain('olivia');
        }
      }
      for (const method of ['HEAD', 'OPTIONS'] as const) {
        const anon = await h.app.inject({ method, url: `/v1/executions/${executionId}` });
        expect(anon.statusCode, `anonymous ${method}`).toBe(401);
        const other = await h.app.inject({
          method,
          url: `/v1/executions/${executionId}`,
          headers: { authorization: `Bearer ${tokens.other}` },
        });
        expect(other.statusCode, `other ${method}`).toBe(404);
      }
      const owner = await h.app.inject({
        method: 'HEAD',
        url: `/v1/executions/${executionId}`,
        headers: { authorization: `Bearer ${tokens.owner}` },
      });
      expect(owner.statusCode).toBe(200);
    });

    it('answers 400 for ids that are not UUIDs, before any lookup', async () => {
      for (const url of [
        '/v1/executions/42',
        '/v1/executions/abc/tasks/def',
        `/v1/executions/${executionId}/tasks/nope`,
        '/v1/admin/users/xyz',
      ]) {
        const res = await h.api<{ code: string }>(url.includes('admin') ? 'PATCH' : 'GET', url, url.includes('admin') ? {} : undefined);
        expect(res.status, url).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('applies revoked shares, removed members and disabled users on the very next request', async () => {
      const get = (actor: ActorKind) => h.api('GET', `/v1/executions/${executionId}`, undefined, tokens[actor]);
      expect((await get('group')).status).toBe(200);
      await h.api('DELETE', `/v1/admin/groups/${ids.groupId}/members/${ids.group}`);
      expect((await get('group')).status).toBe(404);

      expect((await get('shared')).status).toBe(200);
      await h.api('PUT', `/v1/executions/${executionId}/shares`, { scope: 'shared', users: [], groups: [] }, tokens.owner);
      expect((await get('shared')).status).toBe(404);

      const shares = await h.api('PUT', `/v1/executions/${executionId}/shares`, { scope: 'private', users: ['sam'] }, tokens.owner);
      expect(shares.status).toBe(200);
      expect((await get('shared')).status).toBe(404); // listed but private: scope decides

      expect((await get('owner')).status).toBe(200);
      await h.api('PATCH', `/v1/admin/users/${ids.owner}`, { disabled: true });
      expect((await get('owner')).status).toBe(401);
      await h.api('PATCH', `/v1/admin/users/${ids.owner}`, { disabled: false });
      expect((await get('owner')).status).toBe(200);

      const audit = await h.store.db
        .selectFrom('audit_events')
        .select('event_type')
        .where('execution_id', '=', executionId)
        .where('event_type', '=', 'SHARES_CHANGED')
        .execute();
      expect(audit.length).toBe(5); // the first share, the owner's and the admin's PUT in the matrix, and the two above
    });

    it('rejects shares naming unknown users or groups', async () => {
      const res = await h.api<{ code: string; detail: string }>(
        'PUT',
        `/v1/executions/${executionId}/shares`,
        { scope: 'shared', users: ['nobody'] },
        tokens.owner,
      );
      expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', detail: 'body.users: unknown user "nobody"' } });
    });
  });
}

describe('sign-in lockout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    const { insertUser } = await import('../../src/store/user-repository.ts');
    await insertUser(h.store.db, {
      id: newId(),
      username: 'lee',
      passwordHash: await hashPassword('lee-password'),
      role: 'member',
      now: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await h.dispose();
  });

  it('locks a username after repeated failures, whether or not it exists, and audits every attempt', async () => {
    for (const username of ['lee', 'ghost']) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await h.api('POST', '/v1/auth/login', { username, password: 'wrong-password' }, null)).status);
      expect(statuses, username).toEqual([401, 401, 401, 401, 401, 429]);
    }
    const locked = await h.api<{ code: string }>('POST', '/v1/auth/login', { username: 'lee', password: 'lee-password' }, null);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const events = await h.store.db
      .selectFrom('audit_events')
      .select(['event_type', 'subject_id'])
      .where('subject_type', '=', 'login')
      .orderBy('id')
      .execute();
    const lee = events.filter((e) => e.subject_id === 'lee').map((e) => e.event_type);
    expect(lee).toEqual([
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'LOGIN_LOCKED',
      'LOGIN_REJECTED',
      'LOGIN_REJECTED',
    ]);
    // a successful sign-in elsewhere is unaffected, and audited
    expect((await h.api('POST', '/v1/auth/login', { username: 'admin', password: 'correct horse battery' }, null)).status).toBe(200);
  });
});

describe('the last admin', () => {
  it('cannot be disabled or demoted', async () => {
    const h = await createHarness('sqlite');
    try {
      const me = (await h.api<{ id: string }>('GET', '/v1/me')).body.id;
      expect(await h.api('PATCH', `/v1/admin/users/${me}`, { disabled: true })).toMatchObject({
        status: 409,
        body: { code: 'INVALID_STATE' },
      });
      expect(await h.api('PATCH', `/v1/admin/users/${me}`, { role: 'member' })).toMatchObject({ status: 409 });
      const other = await h.api<{ id: string }>('POST', '/v1/admin/users', {
        username: 'second',
        password: 'second-password',
        role: 'admin',
      });
      expect((await h.api('PATCH', `/v1/admin/users/${me}`, { role: 'member' })).status).toBe(200);
      expect(other.status).toBe(201);
    } finally {
      await h.dispose();
    }
  });
});
