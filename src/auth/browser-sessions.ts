import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { CsrfError, UnauthenticatedError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, User } from '../domain/records.ts';
import {
  endBrowserSession,
  getBrowserSessionByHash,
  insertBrowserSession,
  touchBrowserSession,
  type BrowserSession,
} from '../store/browser-session-repository.ts';
import type { Database } from '../store/database-schema.ts';
import { getUserById } from '../store/user-repository.ts';
import { actorOf } from './auth-service.ts';

/** The cookie's name: `__Host-` (Secure, host-only, path /) when the connection is TLS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-runledger_session' : 'runledger_session';
}

/** How often `last_seen_at` is written at most: a page makes many requests a second. */
const TOUCH_INTERVAL_MS = 60_000;

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export interface StartedSession {
  /** The cookie value: shown to the browser once, stored only as its hash. */
  token: string;
  session: BrowserSession;
}

/**
 * Sessions of the web UI. The cookie (HttpOnly, SameSite=Strict, Secure over TLS) carries a random
 * token the page's scripts never see; the row holds its hash and a CSRF token that the page reads
 * from `GET /v1/auth/session` and sends back as `X-CSRF-Token` on every request that changes
 * something. A session ends at sign-out, at `expiresAt`, or when its user is disabled.
 */
export class BrowserSessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async start(user: User): Promise<StartedSession> {
    const token = crypto.randomBytes(32).toString('base64url');
    const at = this.now();
    const session: BrowserSession = {
      id: newId(),
      userId: user.id,
      csrfToken: crypto.randomBytes(24).toString('base64url'),
      createdAt: new Date(at).toISOString(),
      expiresAt: new Date(at + this.ttlMs).toISOString(),
      lastSeenAt: new Date(at).toISOString(),
      endedAt: null,
    };
    await insertBrowserSession(this.db, { ...session, tokenHash: hashToken(token) });
    return { token, session };
  }

  /** The open session of a cookie value and its user; 401 for an unknown, ended or expired one. */
  async resume(token: string): Promise<{ session: BrowserSession; user: User; actor: Actor }> {
    const session = await getBrowserSessionByHash(this.db, hashToken(token));
    const at = this.now();
    if (!session || session.endedAt || Date.parse(session.expiresAt) <= at)
      throw new UnauthenticatedError('The session has ended; sign in again');
    const user = await getUserById(this.db, session.userId);
    if (!user || user.disabledAt) throw new UnauthenticatedError('The session has ended; sign in again');
    if (at - Date.parse(session.lastSeenAt) > TOUCH_INTERVAL_MS) await touchBrowserSession(this.db, session.id, new Date(at).toISOString());
    return { session, user, actor: actorOf(user) };
  }

  /** A request that changes something must carry the session's CSRF token. */
  checkCsrf(session: BrowserSession, header: string | undefined): void {
    if (!header || !sameSecret(header, session.csrfToken))
      throw new CsrfError('This request changes something and needs the X-CSRF-Token of the session');
  }

  /** Sign-out: the session ends on the server, whatever the browser keeps. */
  async end(session: BrowserSession): Promise<void> {
    await endBrowserSession(this.db, session.id, new Date(this.now()).toISOString());
  }
}
