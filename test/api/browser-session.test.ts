import { afterEach, expect, it } from 'vitest';
import { createHarness, ADMIN_PASSWORD, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

interface SessionBody {
  user: { id: string; username: string; role: string };
  csrfToken: string;
  expiresAt: string;
}

const HOST = 'runledger.test:8080';

describeEachDialect('browser sessions', (dialect) => {
  let h: Harness;
  afterEach(async () => {
    await h.dispose();
  });

  async function signIn(headers: Record<string, string> = {}) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      headers: { host: HOST, origin: `http://${HOST}`, ...headers },
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const setCookie = String(res.headers['set-cookie']);
    const cookie = setCookie.split(';')[0]!;
    return { res, setCookie, cookie, body: res.json<SessionBody>() };
  }

  function call(method: string, url: string, cookie: string, headers: Record<string, string> = {}, payload?: object) {
    return h.app.inject({ method: method as 'GET', url, headers: { host: HOST, cookie, ...headers }, ...(payload ? { payload } : {}) });
  }

  it('signs in with an HttpOnly SameSite=Strict cookie that page scripts cannot read, and never answers its value', async () => {
    h = await createHarness(dialect);
    const { res, setCookie, cookie, body } = await signIn();
    expect(res.statusCode).toBe(200);
    expect(setCookie).toMatch(/^runledger_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(body.user.username).toBe('admin');
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(24);
    // the cookie's value appears nowhere in what a page can read
    expect(res.body).not.toContain(cookie.split('=')[1]);
    const me = await call('GET', '/v1/me', cookie);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'admin', via: 'user' });
    const session = await call('GET', '/v1/auth/session', cookie);
    expect(session.json()).toEqual(body);
    expect(res.body).not.toContain(cookie.split('=')[1]);
  });

  it('makes the cookie Secure and __Host- when the browser came over TLS through a trusted proxy', async () => {
    h = await createHarness(dialect, { appOptions: { trustProxy: true } });
    const { setCookie, cookie } = await signIn({ 'x-forwarded-proto': 'https', origin: `https://${HOST}` });
    expect(setCookie).toMatch(/^__Host-runledger_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    expect((await call('GET', '/v1/me', cookie, { 'x-forwarded-proto': 'https' })).statusCode).toBe(200);
  });

  it('refuses a change without the CSRF token, with another token, or from another origin, and accepts it with the token', async () => {
    h = await createHarness(dialect);
    const { cookie, body } = await signIn();
    const create = (headers: Record<string, string>) => call('POST', '/v1/tokens', cookie, headers, { name: 'from the browser' });
    const missing = await create({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 'CSRF_FAILED' });
    expect((await create({ 'x-csrf-token': 'x'.repeat(32) })).json()).toMatchObject({ code: 'CSRF_FAILED' });
    const foreign = await create({ 'x-csrf-token': body.csrfToken, origin: 'https://evil.example' });
    expect(foreign.json()).toMatchObject({ code: 'CSRF_FAILED' });
    expect((await h.api<{ items: unknown[] }>('GET', '/v1/tokens')).body.items.filter((t: any) => t.name === 'from the browser')).toEqual(
      [],
    );
    const ok = await create({ 'x-csrf-token': body.csrfToken, origin: `http://${HOST}` });
    expect(ok.statusCode).toBe(201);
    // reads need no token
    expect((await call('GET', '/v1/tokens', cookie)).statusCode).toBe(200);
  });

  it('refuses a sign-in posted from another site', async () => {
    h = await createHarness(dialect);
    const { res } = await signIn({ origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'CSRF_FAILED' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('ends the session on the server at sign-out: the old cookie no longer works, and the sign-out is audited', async () => {
    h = await createHarness(dialect);
    const { cookie, body } = await signIn();
    const out = await call('DELETE', '/v1/auth/session', cookie, { 'x-csrf-token': body.csrfToken });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^runledger_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    const after = await call('GET', '/v1/me', cookie);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await call('GET', '/v1/auth/session', cookie)).statusCode).toBe(401);
    const audit = await h.api<{ items: { eventType: string; subjectId: string }[] }>('GET', '/v1/audit?subjectType=login');
    expect(audit.body.items.map((e) => e.eventType)).toContain('LOGOUT');
  });

  it('ends the sessions of a user who is disabled', async () => {
    h = await createHarness(dialect);
    const created = await h.api<{ id: string }>('POST', '/v1/admin/users', { username: 'ada', password: 'ada-password-1' });
    const ada = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      headers: { host: HOST },
      payload: { username: 'ada', password: 'ada-password-1' },
    });
    const adaCookie = String(ada.headers['set-cookie']).split(';')[0]!;
    expect((await call('GET', '/v1/me', adaCookie)).statusCode).toBe(200);
    await h.api('PATCH', `/v1/admin/users/${created.body.id}`, { disabled: true });
    expect((await call('GET', '/v1/me', adaCookie)).statusCode).toBe(401);
  });

  it('answers 401 for a made-up cookie and for none, and keeps bearer tokens working beside sessions', async () => {
    h = await createHarness(dialect);
    expect((await call('GET', '/v1/me', 'runledger_session=' + 'a'.repeat(43))).statusCode).toBe(401);
    const none = await h.app.inject({ method: 'GET', url: '/v1/executions' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await h.api('GET', '/v1/me')).status).toBe(200);
    // a bearer request needs no CSRF token: no browser sends one by itself
    expect((await h.api('POST', '/v1/tokens', { name: 'script' })).status).toBe(201);
  });
});
