import { SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { getUserByUsername } from '../../src/store/user-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/** The harness signs sessions with this key and a 1 h lifetime (test/support/harness.ts). */
const KEY = new TextEncoder().encode('x'.repeat(40));
const HOUR_S = 3600;

describeEachDialect('session tokens must end', (dialect) => {
  let h: Harness;
  let adminId: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    adminId = (await getUserByUsername(h.store.db, 'admin'))!.id;
  });
  afterEach(async () => {
    await h.dispose();
  });

  /** A token signed with the real key, with the claims given (seconds since the epoch). */
  function signed(claims: { exp?: number; iat?: number; sub?: string }): Promise<string> {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('runledger').setAudience('runledger-api');
    if (claims.sub !== undefined) jwt.setSubject(claims.sub);
    if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(KEY);
  }

  it('refuses a real-key token without exp, without iat, older than the session lifetime, or expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      'no exp': await signed({ sub: adminId, iat: now }),
      'no iat': await signed({ sub: adminId, exp: now + HOUR_S }),
      'no sub': await signed({ iat: now, exp: now + HOUR_S }),
      'exp in a century, issued two hours ago': await signed({ sub: adminId, iat: now - 2 * HOUR_S, exp: now + 100 * 365 * 24 * HOUR_S }),
      expired: await signed({ sub: adminId, iat: now - 2 * HOUR_S, exp: now - HOUR_S }),
      unsigned: new UnsecuredJWT({ sub: adminId })
        .setIssuer('runledger')
        .setAudience('runledger-api')
        .setIssuedAt(now)
        .setExpirationTime(now + HOUR_S)
        .encode(),
    };
    for (const [label, token] of Object.entries(refused)) {
      const res = await h.api<{ code: string }>('GET', '/v1/me', undefined, token);
      expect(res.status, label).toBe(401);
      expect(res.body.code, label).toBe('UNAUTHENTICATED');
    }
    const fine = await h.api<{ username: string }>('GET', '/v1/me', undefined, await signed({ sub: adminId, iat: now, exp: now + HOUR_S }));
    expect(fine.status).toBe(200);
    expect(fine.body.username).toBe('admin');
    // and what login issues carries all of them
    expect((await h.api('GET', '/v1/me')).status).toBe(200);
  });
});
