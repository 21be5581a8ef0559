import crypto from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ForbiddenError, UnauthenticatedError } from '../../domain/errors.ts';
import type { RunledgerMetrics } from '../../observe/metrics.ts';
import type { AppServices } from '../app-services.ts';

/**
 * `GET /metrics` in Prometheus's text format. Not public: a scraper sends `RUNLEDGER_METRICS_TOKEN`
 * as a bearer token, or an admin's API token; nothing else gets in.
 */
export function metricsRoutes(services: AppServices, metrics: RunledgerMetrics, metricsToken: string | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/metrics',
      { config: { public: true }, schema: { tags: ['health'], summary: 'Prometheus metrics (RUNLEDGER_METRICS_TOKEN or an admin token)' } },
      async (request, reply) => {
        const header = request.headers.authorization;
        if (header === undefined)
          throw new UnauthenticatedError('A bearer token is required: RUNLEDGER_METRICS_TOKEN or an admin API token');
        if (!(metricsToken !== undefined && sameToken(header, `Bearer ${metricsToken}`))) {
          const actor = await services.auth.authenticate(header);
          if (actor.role !== 'admin') throw new ForbiddenError('Only admins (or the metrics token) may read the metrics');
        }
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    );
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
