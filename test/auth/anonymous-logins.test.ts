import { afterEach, beforeEach, expect, it } from 'vitest';
import { AnonymousAuditBudget } from '../../src/auth/anonymous-audit-budget.ts';
import { AuthService, UNKNOWN_USERS_CHAIN } from '../../src/auth/auth-service.ts';
import { JwtSigner } from '../../src/auth/jwt.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/** Bounds on what a client without credentials can make the server write. */
describeEachDialect('anonymous sign-in attempts write a bounded record', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function loginEvents() {
    return h.store.db
      .selectFrom('audit_events')
      .select(['subject_id', 'event_type', 'metadata'])
      .where('subject_type', '=', 'login')
      .orderBy('seq')
      .execute();
  }

  it('puts failed sign-ins of made-up usernames on one chain, whatever the names', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `nobody-${i}-${'x'.repeat(i * 7)}`);
    for (const username of names) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: 'wrong password' } });
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    const res = await h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password: 'wrong password' } });
    expect(res.statusCode).toBe(401);
    const events = (await loginEvents()).filter((e) => e.event_type === 'LOGIN_FAILED');
    expect(new Set(events.map((e) => e.subject_id))).toEqual(new Set([UNKNOWN_USERS_CHAIN, 'admin']));
    expect(events.filter((e) => e.subject_id === UNKNOWN_USERS_CHAIN)).toHaveLength(25);
    // the record still says who was tried, cut to a bounded length
    const recorded = events.map((e) => (typeof e.metadata === 'string' ? JSON.parse(e.metadata) : e.metadata) as { username: string });
    expect(recorded.every((m) => m.username.length <= 65)).toBe(true);
    expect(recorded.map((m) => m.username)).toContain('nobody-0-');
    // and the chains still verify
    const verified = await h.api<{ ok: boolean }>('GET', '/v1/audit/verify');
    expect(verified.status).toBe(200);
    expect(verified.body.ok).toBe(true);
  });

  it('writes at most the budget of failed and refused sign-ins, and says how many it did not', async () => {
    let now = Date.now();
    const budget = new AnonymousAuditBudget(5, 1, now);
    const auth = new AuthService(h.store.db, new JwtSigner('y'.repeat(40), '1h'), { maxFailures: 3, lockoutMs: 60_000 }, budget);
    const attempt = async (username: string) => {
      await expect(auth.verifyLogin(username, 'wrong password')).rejects.toMatchObject({
        code: expect.stringMatching(/INVALID_CREDENTIALS|TOO_MANY_ATTEMPTS/),
      });
    };
    // 40 attempts in a burst: made-up names, a real user until locked, and refused ones afterwards
    for (let i = 0; i < 30; i++) await attempt(`ghost-${i}`);
    for (let i = 0; i < 10; i++) await attempt('admin');
    const before = await loginEvents();
    const anonymous = before.filter((e) => e.event_type === 'LOGIN_FAILED' || e.event_type === 'LOGIN_REJECTED');
    expect(anonymous.length).toBeLessThanOrEqual(5 + Math.ceil((Date.now() - now) / 1000) + 1);
    // the real user was still locked (state is not audit), and the lock itself was recorded
    expect(before.filter((e) => e.event_type === 'LOGIN_LOCKED').map((e) => e.subject_id)).toEqual(['admin']);
    await expect(auth.verifyLogin('admin', 'correct horse battery')).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    // once the budget refills, the next event carries the count of those not written
    now = Date.now() + 10_000;
    expect(budget.take(now)).toMatchObject({ write: true, unrecordedBefore: expect.any(Number) as number });
  });
});

it('AnonymousAuditBudget: a burst, then a steady rate, and the count of what it refused', () => {
  const budget = new AnonymousAuditBudget(3, 2, 0);
  expect([0, 0, 0, 0, 0].map((t) => budget.take(t).write)).toEqual([true, true, true, false, false]);
  expect(budget.take(499)).toEqual({ write: false });
  expect(budget.take(500)).toEqual({ write: true, unrecordedBefore: 3 });
  expect(budget.take(1000)).toEqual({ write: true, unrecordedBefore: 0 });
  expect(budget.take(100_000)).toEqual({ write: true, unrecordedBefore: 0 });
});
