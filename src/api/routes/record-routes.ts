import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertAdmin } from '../../auth/access-policy.ts';
import { ExecutionNotEndedError } from '../../domain/errors.ts';
import { isTerminalExecutionStatus } from '../../domain/execution-status.ts';
import { nowIso } from '../../domain/time.ts';
import { deleteExecutionRecord, restoreExecutionRecord } from '../../records/execution-deletion.ts';
import { exportExecution } from '../../records/execution-export.ts';
import { renderProcedureDocument } from '../../records/procedure-document.ts';
import { getExecution } from '../../store/execution-repository.ts';
import { actorOf } from '../access-hook.ts';
import { gzipArchive } from '../response-schemas.ts';
import type { AppServices } from '../app-services.ts';
import { operableExecution, readableExecution } from '../execution-access.ts';
import { executionDetail } from '../execution-detail.ts';
import { presentTaskRun } from '../presenters.ts';
import { addStepBody, executionParams, recordPatchBody, stepNotesBody, taskRunParams } from '../schemas.ts';
import { deletedWire, executionDetailWire, executionDocumentWire, problemResponses, taskRunWire } from '../../domain/wire/index.ts';

/**
 * Human-run records: the procedure document rendered for an execution, title and notes, steps a
 * person adds and their notes, ending a record, and deleting (softly) and restoring one.
 */
export function recordRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;

  return async (app) => {
    app.get(
      '/executions/:id/document',
      {
        schema: {
          response: { 200: executionDocumentWire, ...problemResponses },
          tags: ['records'],
          summary: "The procedure document with the execution's values substituted (secrets masked): Markdown and sanitised HTML",
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        const version = await services.catalog.version(execution.workflowId, execution.workflowVersion);
        const { inputs, doc } = version.definition;
        const secretInputNames = new Set(Object.keys(inputs).filter((name) => inputs[name]?.secret));
        return {
          workflowId: execution.workflowId,
          workflowVersion: execution.workflowVersion,
          ...renderProcedureDocument(doc ?? '', { inputs: execution.inputs, secretInputNames }),
        };
      },
    );

    app.get(
      '/executions/:id/export',
      {
        schema: {
          response: {
            200: gzipArchive('The archive: a tar of the record, logs, audit chain, checkpoint and evidence'),
            ...problemResponses,
          },
          tags: ['records'],
          summary:
            'One execution as one archive: the record as JSON, its logs, its audit events with their verification and the signed checkpoint covering them, and its evidence files with their sha256',
          params: executionParams,
        },
      },
      async (request, reply) => {
        const execution = await readableExecution(services, request, request.params.id);
        const record = await executionDetail(db, execution);
        const archive = await exportExecution(
          { db, signer: services.auditSigner, attachments: services.attachments },
          execution,
          record,
          actorOf(request),
        );
        // a stream: the response schema documents it, the serializer never sees it
        return reply
          .type('application/gzip')
          .headers({
            'content-disposition': `attachment; filename="${archive.fileName}"`,
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, no-store',
          })
          .send(archive.body as never);
      },
    );

    app.patch(
      '/executions/:id',
      {
        schema: {
          response: { 200: executionDetailWire, ...problemResponses },
          tags: ['records'],
          summary: 'Title and notes (a draft save), and for a human-run record: complete it or mark it failed',
          params: executionParams,
          body: recordPatchBody,
        },
      },
      async (request) => {
        const execution = await operableExecution(services, request, request.params.id);
        await services.engine.updateRecord(execution.id, request.body, actorOf(request));
        return executionDetail(db, (await getExecution(db, execution.id))!);
      },
    );

    app.post(
      '/executions/:id/steps',
      {
        schema: {
          response: { 201: taskRunWire, ...problemResponses },
          tags: ['records'],
          summary: 'Add a step to a record being followed',
          params: executionParams,
          body: addStepBody,
        },
      },
      async (request, reply) => {
        const execution = await operableExecution(services, request, request.params.id);
        const run = await services.engine.addStep(execution.id, request.body.description, actorOf(request));
        return reply.code(201).send(presentTaskRun(run));
      },
    );

    app.patch(
      '/executions/:id/tasks/:taskRunId',
      {
        schema: {
          response: { 200: taskRunWire, ...problemResponses },
          tags: ['records'],
          summary: "A step's notes, editable until the record ends",
          params: taskRunParams,
          body: stepNotesBody,
        },
      },
      async (request) => {
        const execution = await operableExecution(services, request, request.params.id);
        const run = await services.engine.updateStepNotes(execution.id, request.params.taskRunId, request.body.notes, actorOf(request));
        return presentTaskRun(run);
      },
    );

    app.delete(
      '/executions/:id',
      {
        schema: {
          response: { 200: deletedWire, ...problemResponses },
          tags: ['records'],
          summary: 'Soft delete: hidden from everything but admin views; its evidence is purged after the grace period',
          params: executionParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await operableExecution(services, request, request.params.id);
        if (!isTerminalExecutionStatus(execution.status))
          throw new ExecutionNotEndedError(`execution ${execution.id} is ${execution.status}: cancel it or end the record first`);
        const now = nowIso();
        await deleteExecutionRecord(db, execution, actor, now);
        return { id: execution.id, deletedAt: now };
      },
    );

    app.post(
      '/executions/:id/restore',
      {
        schema: {
          response: { 200: executionDetailWire, ...problemResponses },
          tags: ['records'],
          summary: 'Admin: bring back a deleted execution within the grace period',
          params: executionParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        assertAdmin(actor);
        const graceDays = services.attachments.settings.deleteGraceDays;
        const id = await restoreExecutionRecord(db, request.params.id, actor, graceDays, nowIso());
        return executionDetail(db, (await getExecution(db, id))!);
      },
    );
  };
}
