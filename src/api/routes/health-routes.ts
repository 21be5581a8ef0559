import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppServices } from '../app-services.ts';
import { healthWire, readinessWire } from '../../domain/wire/index.ts';
import { storeFailure } from '../../store/store-failure.ts';
import { checkSchema } from '../../observe/store-health.ts';

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
        schema: {
          response: { 200: readinessWire, 503: readinessWire },
          tags: ['health'],
          summary: 'The store answers, takes writes and has the migrations of this build',
        },
      },
      async (_request, reply) => {
        const store = services.store.caps.dialect;
        // One read answers both: the store answers, and it has exactly the migrations of this build (a
        // store migrated by an older or a newer build is not one this process may serve).
        let mismatch;
        try {
          mismatch = await checkSchema(services.store);
        } catch (e: unknown) {
          const failure = storeFailure(e);
          return reply.code(503).send({
            status: 'unavailable',
            store,
            cause: failure?.cause ?? 'UNREACHABLE',
            detail: e instanceof Error ? e.message : String(e),
          });
        }
        if (mismatch) return reply.code(503).send({ status: 'unavailable', store, ...mismatch });
        // The store answers reads, but a full disk only shows when a write fails: say so until one succeeds.
        const failing = services.store.health.failure;
        if (failing)
          return reply
            .code(503)
            .send({ status: 'unavailable', store, cause: failing.cause, detail: failing.message, since: failing.since });
        return { status: 'ready', store };
      },
    );
  };
}
