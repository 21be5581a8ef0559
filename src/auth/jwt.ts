import { jwtVerify, SignJWT } from 'jose';
import { parseDurationMs } from '../domain/duration.ts';

const ISSUER = 'runledger';
const AUDIENCE = 'runledger-api';

/** Issues and checks session tokens (HS256). The key comes from config or the data directory. */
export class JwtSigner {
  private readonly key: Uint8Array;
  /** Token lifetime in whole seconds, read with the duration grammar of every other setting (`1h30m`). */
  private readonly ttlSeconds: number;

  constructor(secret: string, ttl: string) {
    this.key = new TextEncoder().encode(secret);
    const ms = parseDurationMs(ttl);
    if (ms === undefined || ms < 1000) throw new RangeError(`token lifetime ${JSON.stringify(ttl)} is not a duration of at least 1s`);
    this.ttlSeconds = Math.floor(ms / 1000);
  }

  sign(userId: string): Promise<string> {
    // `iat` has whole seconds; the milliseconds tell a token from a password reset in the same second
    return new SignJWT({ iatMs: Date.now() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.key);
  }

  /**
   * The user id the token was issued to and when (milliseconds since the epoch; a token without
   * `iatMs` counts from the start of its `iat` second), or undefined for anything forged, expired or
   * malformed. A token must say when it was issued and when it expires, and be no older than the
   * session lifetime whatever its `exp` says: a token signed with the real key but without an end (or
   * with a far one) would otherwise be accepted forever.
   */
  async verify(token: string): Promise<{ userId: string; issuedAtMs: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: this.ttlSeconds,
      });
      if (typeof payload.sub !== 'string' || typeof payload.iat !== 'number') return undefined;
      return { userId: payload.sub, issuedAtMs: typeof payload.iatMs === 'number' ? payload.iatMs : payload.iat * 1000 };
    } catch {
      return undefined;
    }
  }
}
