import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import { runCleanup } from '../../observe/retention.ts';
import { executionsByStatus, oldest, tableStats } from '../../store/retention-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { cleanupBody } from '../schemas.ts';
import { cleanupReportWire, problemResponses, retentionStatsWire } from '../../domain/wire/index.ts';

/** Store sizes and retention cleanup: admins only. */
export function retentionRoutes(services: AppServices): FastifyPluginAsyncZod {
  const { db, caps } = services.store;
  return async (app) => {
    app.addHook('onRequest', async (request) => assertAdmin(actorOf(request)));

    app.get(
      '/admin/retention/stats',
      {
        schema: {
          response: { 200: retentionStatsWire, ...problemResponses },
          tags: ['retention'],
          summary: 'Row counts, sizes, oldest records, executions by status',
        },
      },
      async () => ({
        policy: services.retention,
        tables: await tableStats(db, caps),
        executionsByStatus: await executionsByStatus(db),
        oldest: await oldest(db),
      }),
    );

    app.post(
      '/admin/retention/cleanup',
      {
        schema: {
          response: { 200: cleanupReportWire, ...problemResponses },
          tags: ['retention'],
          summary: 'Delete log lines (and purge audit chains) of long-ended executions; dryRun reports only',
          body: cleanupBody,
        },
      },
      async (request) =>
        runCleanup(
          { db, signer: services.auditSigner, reclaimSpace: () => services.store.reclaimSpace(), caps: services.store.caps },
          services.retention,
          request.body,
          actorOf(request),
        ),
    );
  };
}
