import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.ts';
import type { Actor } from '../domain/records.ts';
import { UnauthenticatedError } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no bearer token: health checks, the OpenAPI docs, sign-in. */
    public?: boolean;
  }
}

/**
 * Authentication is the default: every route needs a bearer token unless it opts out with
 * `config: { public: true }`. Unknown routes fall through to the 404 handler only after this check
 * for /v1 paths, so probing does not reveal which routes exist.
 */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (request.routeOptions.config.public || route?.startsWith('/docs')) return;
    // Unknown paths outside /v1 get a plain 404; inside /v1 the token comes first.
    if (!route && !request.url.startsWith('/v1')) return;
    request.actor = await auth.authenticate(request.headers.authorization);
  });
}

/** The authenticated actor; routes behind the hook always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError('A bearer token is required');
  return request.actor;
}
