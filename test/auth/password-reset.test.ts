import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const HOST = 'runledger.test:8080';
const OLD = 'grace old password';
const NEW = 'grace new password';

/** An admin resets a password: every way in the old one opened ends at once, and that is audited. */
describeEachDialect('password reset by an admin', (dialect) => {
  let h: Harness;
  let graceId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const created = await h.api<{ id: string }>('POST', '/v1/admin/users', { username: 'grace', password: OLD });
    expect(created.status).toBe(201);
    graceId = created.body.id;
  });
  afterAll(async () => {
    await h.dispose();
  });

  it('ends her browser sessions, revokes her API tokens, and voids the sign-in tokens issued before it', async () => {
    const login = await h.api<{ token: string }>('POST', '/v1/auth/login', { username: 'grace', password: OLD }, null);
    expect(login.status).toBe(200);
    const jwt = login.body.token;
    const apiToken = await h.api<{ token: string }>('POST', '/v1/tokens', { name: 'laptop' }, jwt);
    expect(apiToken.status).toBe(201);
    const session = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      headers: { host: HOST, origin: `http://${HOST}` },
      payload: { username: 'grace', password: OLD },
    });
    expect(session.statusCode).toBe(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const sessionMe = () => h.app.inject({ method: 'GET', url: '/v1/me', headers: { host: HOST, cookie } });
    for (const token of [jwt, apiToken.body.token]) expect((await h.api('GET', '/v1/me', undefined, token)).status).toBe(200);
    expect((await sessionMe()).statusCode).toBe(200);

    const reset = await h.api('PATCH', `/v1/admin/users/${graceId}`, { password: NEW });
    expect(reset.status).toBe(200);

    for (const token of [jwt, apiToken.body.token]) {
      const res = await h.api<{ code: string }>('GET', '/v1/me', undefined, token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    expect((await sessionMe()).statusCode).toBe(401);

    // the new password works at once
    const again = await h.api<{ token: string }>('POST', '/v1/auth/login', { username: 'grace', password: NEW }, null);
    expect(again.status).toBe(200);
    expect((await h.api('GET', '/v1/me', undefined, again.body.token)).status).toBe(200);

    const event = await h.store.db
      .selectFrom('audit_events')
      .select(['event_type', 'metadata'])
      .where('subject_type', '=', 'user')
      .where('subject_id', '=', graceId)
      .where('event_type', '=', 'USER_UPDATED')
      .executeTakeFirstOrThrow();
    const metadata = typeof event.metadata === 'string' ? (JSON.parse(event.metadata) as unknown) : event.metadata;
    expect(metadata).toMatchObject({ passwordReset: true, revoked: { apiTokens: 1, browserSessions: 1 } });
    expect(JSON.stringify(metadata)).not.toContain(NEW);
  });

  it('leaves other changes (role) without revoking anything', async () => {
    const login = await h.api<{ token: string }>('POST', '/v1/auth/login', { username: 'grace', password: NEW }, null);
    expect((await h.api('PATCH', `/v1/admin/users/${graceId}`, { role: 'admin' })).status).toBe(200);
    expect((await h.api('GET', '/v1/me', undefined, login.body.token)).status).toBe(200);
  });
});
