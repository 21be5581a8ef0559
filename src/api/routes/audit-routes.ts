import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import type { Actor } from '../../domain/records.ts';
import { verifyAudit, writeCheckpoint } from '../../observe/audit-checkpoints.ts';
import { recordAuditRead } from '../../observe/security-events.ts';
import { latestCheckpoint } from '../../store/audit-checkpoint-repository.ts';
import { listAuditEvents, listAuditEventsAfter } from '../../store/audit-event-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { auditListQuery, auditVerifyQuery, exportedCheckpointBody } from '../schemas.ts';
import {
  auditCheckpointWire,
  auditEventWire,
  auditVerificationWire,
  exportedCheckpointWire,
  listOf,
  problemResponses,
} from '../../domain/wire/index.ts';
import { ndjson } from '../response-schemas.ts';

/** The whole audit trail, its verification and its signed checkpoints: admins only. */
export function auditRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;

  /** Reading the audit trail is itself an audit event. */
  const noteRead = (actor: Actor, what: string) => recordAuditRead(db, actor, { what });

  return async (app) => {
    app.addHook('onRequest', async (request) => assertAdmin(actorOf(request)));

    app.get(
      '/audit',
      {
        schema: {
          response: { 200: listOf(auditEventWire), ...problemResponses },
          tags: ['audit'],
          summary: 'Audit events, newest first',
          querystring: auditListQuery,
        },
      },
      async (request) => {
        await noteRead(actorOf(request), 'list');
        return { items: await listAuditEvents(db, request.query) };
      },
    );

    app.get(
      '/audit/export',
      {
        schema: {
          response: { 200: ndjson('The audit events, one JSON object a line, oldest first'), ...problemResponses },
          tags: ['audit'],
          summary: 'The whole audit trail as NDJSON, oldest first',
        },
      },
      async (request, reply) => {
        await noteRead(actorOf(request), 'export');
        async function* lines(): AsyncGenerator<string> {
          let after: string | null = null;
          for (;;) {
            const page = await listAuditEventsAfter(db, after, 1000);
            for (const event of page) yield `${JSON.stringify(event)}\n`;
            if (page.length < 1000) return;
            after = page.at(-1)!.id;
          }
        }
        // a stream: the response schema documents its lines, the serializer never sees it
        return reply.type('application/x-ndjson').send(Readable.from(lines()) as never);
      },
    );

    app.get(
      '/audit/verify',
      {
        schema: {
          response: { 200: auditVerificationWire, ...problemResponses },
          tags: ['audit'],
          summary: 'Verify every chain, link and checkpoint signature',
          querystring: auditVerifyQuery,
        },
      },
      async (request) => {
        await noteRead(actorOf(request), 'verify');
        const execution = request.query.execution;
        return verifyAudit(db, services.auditSigner, execution ? { subject: { type: 'execution', id: execution } } : {});
      },
    );

    app.post(
      '/audit/verify',
      {
        schema: {
          response: { 200: auditVerificationWire, ...problemResponses },
          tags: ['audit'],
          summary: 'Verify, also against an exported checkpoint (detects a deleted tail or a rewritten chain)',
          body: exportedCheckpointBody,
        },
      },
      async (request) => {
        await noteRead(actorOf(request), 'verify');
        const { execution, checkpoint } = request.body;
        return verifyAudit(db, services.auditSigner, {
          exported: checkpoint,
          ...(execution ? { subject: { type: 'execution', id: execution } } : {}),
        });
      },
    );

    app.post(
      '/audit/checkpoints',
      {
        schema: { response: { 201: auditCheckpointWire, ...problemResponses }, tags: ['audit'], summary: 'Write a signed checkpoint now' },
      },
      async (_request, reply) => {
        return reply.code(201).send(await writeCheckpoint(db, services.auditSigner, 'on demand'));
      },
    );

    app.get(
      '/audit/checkpoints/latest',
      {
        schema: {
          response: { 200: exportedCheckpointWire, ...problemResponses },
          tags: ['audit'],
          summary: 'The latest signed checkpoint, to keep outside the server',
        },
      },
      async (request, reply) => {
        await noteRead(actorOf(request), 'checkpoint');
        const latest = (await latestCheckpoint(db)) ?? (await writeCheckpoint(db, services.auditSigner, 'on demand'));
        return reply.send({ ...latest, publicKey: services.auditSigner.publicKeyPem() });
      },
    );
  };
}
