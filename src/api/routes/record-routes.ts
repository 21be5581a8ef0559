import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppServices } from '../app-services.ts';

/** Human-run records: the procedure document of an execution, notes, extra steps, completion, deletion. */
export function recordRoutes(_services: AppServices): FastifyPluginAsyncZod {
  return async (_app) => {};
}
