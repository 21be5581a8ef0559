import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppServices } from '../app-services.ts';
import { healthWire, readinessWire } from '../../domain/wire/index.ts';

export function healthRoutes(services: AppServices): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { config: { public: true }, schema: { response: { 200: healthWire }, tags: ['health'], summary: 'The process is up' } },
      async () => ({
        status: 'ok',
      }),
    );

    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: { response: { 200: readinessWire, 503: readinessWire }, tags: ['health'], summary: 'The store answers' },
      },
      async (_request, reply) => {
        try {
          await sql`select 1`.execute(services.store.db);
          return { status: 'ready', store: services.store.caps.dialect };
        } catch {
          return reply.code(503).send({ status: 'unavailable', store: services.store.caps.dialect });
        }
      },
    );
  };
}
