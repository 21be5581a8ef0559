import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { createTokenBody, loginBody, uuidParam } from '../schemas.ts';
import {
  apiTokenWire,
  browserSessionWire,
  createdApiTokenWire,
  listOf,
  loginResultWire,
  meWire,
  problemResponses,
} from '../../domain/wire/index.ts';
import type { BrowserSessions } from '../../auth/browser-sessions.ts';
import { UnauthenticatedError } from '../../domain/errors.ts';
import type { User } from '../../domain/records.ts';
import { recordAuditEvent } from '../../observe/audit-logger.ts';
import type { BrowserSession } from '../../store/browser-session-repository.ts';
import { assertSameOrigin, clearSessionCookie, sessionCookieOf, setSessionCookie } from '../session-cookie.ts';
import { noContent } from '../response-schemas.ts';

/** What the page learns about its session: never the cookie's value. */
function presentSession(session: BrowserSession, user: User) {
  return {
    user: { id: user.id, username: user.username, role: user.role },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

export function authRoutes(services: AppServices, sessions: BrowserSessions): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/session',
      {
        config: { public: true },
        schema: {
          response: { 200: browserSessionWire, ...problemResponses },
          tags: ['auth'],
          summary: 'Sign in from a browser: sets the HttpOnly session cookie; answers the CSRF token to send back',
          body: loginBody,
        },
      },
      async (request, reply) => {
        // Not even a sign-in may be posted from another site's page (login CSRF).
        assertSameOrigin(request);
        const user = await services.auth.verifyLogin(request.body.username, request.body.password, { ip: request.ip });
        const { token, session } = await sessions.start(user);
        setSessionCookie(reply, request, token);
        return presentSession(session, user);
      },
    );

    app.get(
      '/auth/session',
      {
        config: { public: true },
        schema: {
          response: { 200: browserSessionWire, ...problemResponses },
          tags: ['auth'],
          summary: "The browser session's user, CSRF token and expiry; 401 when there is none",
        },
      },
      async (request) => {
        const cookie = sessionCookieOf(request);
        if (cookie === undefined) throw new UnauthenticatedError('Not signed in');
        const { session, user } = await sessions.resume(cookie);
        return presentSession(session, user);
      },
    );

    app.delete(
      '/auth/session',
      {
        schema: {
          response: { 204: noContent, ...problemResponses },
          tags: ['auth'],
          summary: 'Sign out: ends the browser session on the server and removes its cookie',
        },
      },
      async (request, reply) => {
        const session = request.browserSession;
        if (!session) throw new UnauthenticatedError('No browser session to end (bearer tokens are revoked with DELETE /v1/tokens/:id)');
        const actor = actorOf(request);
        await sessions.end(session);
        await services.store.db.transaction().execute((trx) =>
          recordAuditEvent(trx, {
            subjectType: 'login',
            subjectId: actor.username ?? session.userId,
            eventType: 'LOGOUT',
            actor,
            metadata: { session: session.id },
          }),
        );
        clearSessionCookie(reply, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          response: { 200: loginResultWire, ...problemResponses },
          tags: ['auth'],
          summary: 'Sign in; returns a session token (JWT)',
          body: loginBody,
        },
      },
      async (request) => {
        const { token, user } = await services.auth.login(request.body.username, request.body.password, { ip: request.ip });
        return { token, user: { id: user.id, username: user.username, role: user.role } };
      },
    );

    app.get('/me', { schema: { response: { 200: meWire, ...problemResponses }, tags: ['auth'], summary: 'Who am I' } }, async (request) => {
      const actor = actorOf(request);
      return { id: actor.userId, username: actor.username, role: actor.role, via: actor.kind };
    });

    app.post(
      '/tokens',
      {
        schema: {
          response: { 201: createdApiTokenWire, ...problemResponses },
          tags: ['auth'],
          summary: 'Create an API token (shown once)',
          body: createTokenBody,
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { token, record } = await services.auth.createApiToken(actor.userId!, request.body.name, request.body.expiresAt ?? null);
        return reply.code(201).send({ ...record, token });
      },
    );

    app.get(
      '/tokens',
      {
        schema: {
          response: { 200: listOf(apiTokenWire), ...problemResponses },
          tags: ['auth'],
          summary: 'My API tokens (never their values)',
        },
      },
      async (request) => {
        return { items: await services.auth.listApiTokens(actorOf(request).userId!) };
      },
    );

    app.delete(
      '/tokens/:id',
      {
        schema: {
          response: { 204: noContent, ...problemResponses },
          tags: ['auth'],
          summary: 'Revoke an API token',
          params: z.object({ id: uuidParam }),
        },
      },
      async (request, reply) => {
        await services.auth.revokeApiToken(actorOf(request).userId!, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
