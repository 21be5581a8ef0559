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
   * The user id the token was issued to, or undefined for anything forged, expired or malformed. A
   * token must say when it was issued and when it expires, and be no older than the session lifetime
   * whatever its `exp` says: a token signed with the real key but without an end (or with a far one)
   * would otherwise be accepted forever.
   */
  async verify(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: this.ttl,
      });
      return typeof payload.sub === 'string' ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
