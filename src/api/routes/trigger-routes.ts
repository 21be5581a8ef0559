import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AnonymousAuditBudget } from '../../auth/anonymous-audit-budget.ts';
import { assertCanEditWorkflows } from '../../auth/access-policy.ts';
import { listOf, problemResponses, runStartedWire, scheduleWire, webhookSecretWire } from '../../domain/wire/index.ts';
import { listScheduleViews } from '../../engine/schedule-views.ts';
import { WEBHOOK_MAX_BODY_BYTES, WebhookReceiver } from '../../engine/webhook-receiver.ts';
import { rotateWebhookSecret } from '../../engine/webhook-secrets.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { workflowParams } from '../schemas.ts';

const webhookParams = workflowParams.extend({
  triggerId: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a trigger id ([a-z][a-z0-9_]*)')
    .max(64),
});

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Schedules (`GET /v1/schedules`), webhook secrets, and the signed webhook endpoint itself. */
export function triggerRoutes(services: AppServices): FastifyPluginAsyncZod {
  const { engine } = services;
  const receiver = new WebhookReceiver(engine.deps, engine.commands, new AnonymousAuditBudget());
  return async (app) => {
    app.get(
      '/schedules',
      {
        schema: {
          response: { 200: listOf(scheduleWire), ...problemResponses },
          tags: ['workflows'],
          summary: 'Schedule triggers, soonest first: their next run times and their last fire',
          querystring: z.object({ workflow: workflowParams.shape.id.optional() }),
        },
      },
      async (request) => ({ items: await listScheduleViews(services.store.db, request.query.workflow) }),
    );

    app.post(
      '/workflows/:id/webhooks/:triggerId/secret',
      {
        schema: {
          response: { 200: webhookSecretWire, ...problemResponses },
          tags: ['workflows'],
          summary: "Rotate a webhook trigger's signing secret (the old one stops working at once); shown this once",
          params: webhookParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        assertCanEditWorkflows(actor);
        const { id, triggerId } = request.params;
        const secret = await rotateWebhookSecret(services.store.db, engine.deps.secrets, { workflowId: id, triggerId }, actor);
        return { workflowId: id, triggerId, secret, url: `/v1/workflows/${id}/webhooks/${triggerId}` };
      },
    );

    // The webhook endpoint reads its body as bytes, whatever its content type: the signature is over
    // the bytes as sent, and they are parsed as JSON only once it holds.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      scope.withTypeProvider<ZodTypeProvider>().post(
        '/workflows/:id/webhooks/:triggerId',
        {
          config: { public: true },
          bodyLimit: WEBHOOK_MAX_BODY_BYTES,
          schema: {
            response: { 202: runStartedWire, ...problemResponses },
            tags: ['workflows'],
            summary: 'Start the workflow from a signed webhook request (no bearer token: the signature is the credential)',
            params: webhookParams,
            security: [],
          },
        },
        async (request, reply) => {
          const execution = await receiver.receive({
            workflowId: request.params.id,
            triggerId: request.params.triggerId,
            signature: headerValue(request.headers['x-runledger-signature']),
            timestamp: headerValue(request.headers['x-runledger-timestamp']),
            body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
            sourceIp: request.ip,
          });
          return reply
            .code(202)
            .header('location', `/v1/executions/${execution.id}`)
            .send({ executionId: execution.id, status: execution.status, title: execution.title });
        },
      );
    });
  };
}
