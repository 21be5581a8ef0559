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
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(this.ttl)
      .sign(this.key);
  }

  /**
   * The user id the token was issued to and when (seconds since the epoch), or undefined for
   * anything forged, expired or malformed.
   */
  async verify(token: string): Promise<{ userId: string; issuedAt: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return typeof payload.sub === 'string' && typeof payload.iat === 'number'
        ? { userId: payload.sub, issuedAt: payload.iat }
        : undefined;
    } catch {
      return undefined;
    }
  }
}
