import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import type { BrowserSessions } from '../auth/browser-sessions.ts';
import type { Actor } from '../domain/records.ts';
import { UnauthenticatedError } from '../domain/errors.ts';
import type { BrowserSession } from '../store/browser-session-repository.ts';
import { assertSameOrigin, sessionCookieOf } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The browser session the request came with (cookie), when it did not bring a bearer token. */
    browserSession: BrowserSession | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no credential: health checks, the OpenAPI docs, sign-in. */
    public?: boolean;
  }
}

/** Methods that change nothing: no CSRF token needed. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `/v1/...` (also `//v1/...`): the API. Everything else (the web UI's files, /docs, health) needs no identity. */
const API_PATH = /^\/+v1(\/|\?|$)/i;

/**
 * Authentication is the default for the API: every /v1 route needs a bearer token (CLI, scripts) or
 * a browser session cookie (the web UI) unless it opts out with `config: { public: true }`. A session
 * request that changes something must also carry the session's CSRF token and come from our origin.
 * Unknown /v1 paths are authenticated before the 404, so probing does not reveal which routes exist.
 */
export function registerAuthentication(app: FastifyInstance, auth: AuthService, sessions: BrowserSessions): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('browserSession', null);
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (request.routeOptions.config.public || route?.startsWith('/docs')) return;
    if (!API_PATH.test(route ?? request.url)) return;
    if (request.headers.authorization !== undefined) {
      request.actor = await auth.authenticate(request.headers.authorization);
      return;
    }
    const cookie = sessionCookieOf(request);
    if (cookie === undefined)
      throw new UnauthenticatedError('A bearer token is required (Authorization: Bearer <token>), or a web UI session');
    const { session, actor } = await sessions.resume(cookie);
    if (!SAFE_METHODS.has(request.method)) {
      assertSameOrigin(request);
      sessions.checkCsrf(session, headerValue(request.headers['x-csrf-token']));
    }
    request.browserSession = session;
    request.actor = actor;
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The authenticated actor; routes behind the hook always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError('A bearer token is required');
  return request.actor;
}
