import { afterEach, expect, it } from 'vitest';
import { BrowserSessions, sessionCookieName } from '../../src/auth/browser-sessions.ts';
import { newId } from '../../src/domain/ids.ts';
import type { User } from '../../src/domain/records.ts';
import { getBrowserSessionByHash } from '../../src/store/browser-session-repository.ts';
import { insertUser } from '../../src/store/user-repository.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

describeEachDialect('browser sessions (store)', (dialect) => {
  let t: TestStore;
  afterEach(async () => {
    await t.dispose();
  });

  async function user(): Promise<User> {
    const id = newId();
    const now = new Date().toISOString();
    await insertUser(t.store.db, { id, username: `u${id.slice(-6)}`, passwordHash: 'x', role: 'member', now });
    return { id, username: `u${id.slice(-6)}`, role: 'member', createdAt: now, updatedAt: now, disabledAt: null, canEditWorkflows: false };
  }

  it('keeps only the hash of the cookie, and ends a session at its expiry on the clock it is given', async () => {
    t = await createTestStore(dialect);
    let now = Date.parse('2026-06-01T12:00:00.000Z');
    const sessions = new BrowserSessions(t.store.db, 3_600_000, () => now);
    const u = await user();
    const { token, session } = await sessions.start(u);
    expect(session.expiresAt).toBe('2026-06-01T13:00:00.000Z');
    const stored = await t.store.db.selectFrom('browser_sessions').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await getBrowserSessionByHash(t.store.db, token)).toBeUndefined();

    now += 3_599_000;
    expect((await sessions.resume(token)).user.id).toBe(u.id);
    now += 1000;
    await expect(sessions.resume(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('checks the CSRF token in constant time and refuses another one; an ended session stays ended', async () => {
    t = await createTestStore(dialect);
    const sessions = new BrowserSessions(t.store.db, 3_600_000);
    const { token, session } = await sessions.start(await user());
    expect(() => sessions.checkCsrf(session, session.csrfToken)).not.toThrow();
    expect(() => sessions.checkCsrf(session, undefined)).toThrow(expect.objectContaining({ code: 'CSRF_FAILED' }));
    expect(() => sessions.checkCsrf(session, `${session.csrfToken}x`)).toThrow(expect.objectContaining({ code: 'CSRF_FAILED' }));
    await sessions.end(session);
    await expect(sessions.resume(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect([sessionCookieName(true), sessionCookieName(false)]).toEqual(['__Host-runledger_session', 'runledger_session']);
  });
});
