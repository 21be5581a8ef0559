import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'runledger';
const AUDIENCE = 'runledger-api';

/** Issues and checks session tokens (HS256). The key comes from config or the data directory. */
export class JwtSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttl: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(userId: string): Promise<string> {
    // `iat` has whole seconds; the milliseconds tell a token from a password reset in the same second
    return new SignJWT({ iatMs: Date.now() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(this.ttl)
      .sign(this.key);
  }

  /**
   * The user id the token was issued to and when (milliseconds since the epoch; a token without
   * `iatMs` counts from the start of its `iat` second), or undefined for anything forged, expired or
   * malformed.
   */
  async verify(token: string): Promise<{ userId: string; issuedAtMs: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.iat !== 'number') return undefined;
      return { userId: payload.sub, issuedAtMs: typeof payload.iatMs === 'number' ? payload.iatMs : payload.iat * 1000 };
    } catch {
      return undefined;
    }
  }
}
