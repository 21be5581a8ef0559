import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieName } from '../auth/browser-sessions.ts';
import { CsrfError } from '../domain/errors.ts';

/** Whether the browser reached us over TLS (directly, or through a proxy the server trusts). */
export function isSecureRequest(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The session cookie's value, if the request has one (under either name: TLS or not). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const names = [sessionCookieName(true), sessionCookieName(false)];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (names.includes(name) && /^[A-Za-z0-9_-]{20,100}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * The cookie of a new session: HttpOnly (no page script reads it), SameSite=Strict (no other site's
 * page sends it), Secure and `__Host-` over TLS; no Max-Age, so it ends with the browser, and the
 * server ends it at its expiry in any case.
 */
export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, token: string): void {
  const secure = isSecureRequest(request);
  void reply.header('set-cookie', `${sessionCookieName(secure)}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}

/** Removes the cookie from the browser (the session itself is ended on the server). */
export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  const secure = isSecureRequest(request);
  void reply.header('set-cookie', `${sessionCookieName(secure)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
}

/**
 * A browser that sends `Origin` (every one does on a POST, PUT, PATCH or DELETE) must be on our own
 * origin; requests without it come from programs, which do not carry our cookie by accident.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new CsrfError(`Requests from origin "${origin}" are refused`);
  }
  if (host !== request.headers.host) throw new CsrfError(`Requests from origin "${origin}" are refused`);
}
