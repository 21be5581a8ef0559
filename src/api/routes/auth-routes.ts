import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { createTokenBody, loginBody, uuidParam } from '../schemas.ts';
import { apiTokenWire, createdApiTokenWire, listOf, loginResultWire, meWire, problemResponses } from '../../domain/wire/index.ts';
import { noContent } from '../response-schemas.ts';

export function authRoutes(services: AppServices): FastifyPluginAsyncZod {
  return async (app) => {
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
