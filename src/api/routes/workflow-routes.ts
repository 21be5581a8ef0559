import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { presentProcedureVersion, presentVersion, presentWorkflow, presentWorkflowDetail } from '../presenters.ts';
import { countExecutionsFor, listExecutionsPage } from '../list-executions-page.ts';
import { executionListQuery, runBody, runsBody, workflowParams, workflowVersionParams } from '../schemas.ts';
import type { DefinitionSource } from '../../engine/workflow-catalog.ts';
import { UnsupportedMediaTypeError } from '../../domain/errors.ts';
import { MAX_RUNS_PER_REQUEST } from '../../domain/run-limits.ts';
import { assertCanEditWorkflows } from '../../auth/access-policy.ts';
import {
  appliedWorkflowWire,
  createdWorkflowWire,
  executionCountWire,
  executionPageWire,
  listOf,
  problemResponses,
  procedureSummaryWire,
  runStartedWire,
  runsStartedWire,
  workflowDetailWire,
  workflowSummaryWire,
  workflowVersionDetailWire,
  workflowVersionWire,
} from '../../domain/wire/index.ts';
import { noContent } from '../response-schemas.ts';

/** A JSON body arrives parsed; YAML (application/yaml, text/yaml) arrives as text. */
function definitionSource(body: unknown): DefinitionSource {
  if (typeof body === 'string') return { source: body, format: 'yaml' };
  if (body && typeof body === 'object' && !Array.isArray(body)) return { source: body as Record<string, unknown>, format: 'json' };
  throw new UnsupportedMediaTypeError('Send the definition as application/json or application/yaml');
}

/** New webhook secrets go in the answer only when there are some: they are shown this once. */
function webhookSecretsOf(secrets: Record<string, string>): { webhookSecrets?: Record<string, string> } {
  return Object.keys(secrets).length > 0 ? { webhookSecrets: secrets } : {};
}

export function workflowRoutes(services: AppServices): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/workflows',
      {
        schema: {
          response: { 201: createdWorkflowWire, ...problemResponses },
          tags: ['workflows'],
          summary: 'Create a workflow from a JSON or YAML definition',
        },
      },
      async (request, reply) => {
        assertCanEditWorkflows(actorOf(request));
        const result = await services.catalog.apply(definitionSource(request.body), actorOf(request), 'create');
        return reply.code(201).send({
          ...presentWorkflowDetail(result.workflow, result.version),
          version: result.version.version,
          ...webhookSecretsOf(result.webhookSecrets),
        });
      },
    );

    app.get(
      '/workflows',
      { schema: { response: { 200: listOf(workflowSummaryWire), ...problemResponses }, tags: ['workflows'], summary: 'List workflows' } },
      async () => {
        return { items: (await services.catalog.list()).map((w) => presentWorkflow(w)) };
      },
    );

    app.get(
      '/procedures',
      {
        schema: {
          response: { 200: listOf(procedureSummaryWire), ...problemResponses },
          tags: ['records'],
          summary: 'The procedures: workflows with a document or manual steps, at their latest version, by name',
        },
      },
      async () => {
        const items = [];
        for (const w of await services.catalog.list()) {
          const { definition } = (await services.catalog.get(w.id)).version;
          const manualSteps = definition.tasks.filter((t) => t.type === 'manual').length;
          if (!definition.doc?.trim() && manualSteps === 0) continue;
          items.push({
            id: w.id,
            name: w.name,
            description: definition.description ?? null,
            latestVersion: w.latestVersion,
            hasDocument: Boolean(definition.doc?.trim()),
            manualSteps,
            steps: definition.tasks.length,
            inputs: Object.keys(definition.inputs).length,
            updatedAt: w.updatedAt,
          });
        }
        return { items: items.sort((a, b) => a.name.localeCompare(b.name)) };
      },
    );

    app.get(
      '/workflows/:id',
      {
        schema: {
          response: { 200: workflowDetailWire, ...problemResponses },
          tags: ['workflows'],
          summary: 'A workflow and its latest definition',
          params: workflowParams,
        },
      },
      async (request) => {
        const { workflow, version } = await services.catalog.get(request.params.id);
        return presentWorkflowDetail(workflow, version);
      },
    );

    app.put(
      '/workflows/:id',
      {
        schema: {
          response: { 200: appliedWorkflowWire, 201: appliedWorkflowWire, ...problemResponses },
          tags: ['workflows'],
          summary: 'Apply a new version (idempotent: an identical definition makes none)',
          params: workflowParams,
        },
      },
      async (request, reply) => {
        assertCanEditWorkflows(actorOf(request));
        const result = await services.catalog.apply(definitionSource(request.body), actorOf(request), 'upsert', request.params.id);
        return reply.code(result.created ? 201 : 200).send({
          ...presentWorkflowDetail(result.workflow, result.version),
          version: result.version.version,
          changed: result.changed,
          ...webhookSecretsOf(result.webhookSecrets),
        });
      },
    );

    app.delete(
      '/workflows/:id',
      {
        schema: {
          response: { 204: noContent, ...problemResponses },
          tags: ['workflows'],
          summary: 'Delete a workflow (its executions stay)',
          params: workflowParams,
        },
      },
      async (request, reply) => {
        assertCanEditWorkflows(actorOf(request));
        await services.catalog.delete(request.params.id, actorOf(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/workflows/:id/versions',
      {
        schema: {
          response: { 200: listOf(workflowVersionWire), ...problemResponses },
          tags: ['workflows'],
          summary: 'Every version, newest first',
          params: workflowParams,
        },
      },
      async (request) => {
        return { items: (await services.catalog.versions(request.params.id)).map(presentVersion) };
      },
    );

    app.get(
      '/workflows/:id/versions/:version',
      {
        schema: {
          response: { 200: workflowVersionDetailWire, ...problemResponses },
          tags: ['workflows'],
          summary: 'One version: its definition, procedure document and variables form',
          params: workflowVersionParams,
        },
      },
      async (request) => {
        const version = await services.catalog.version(request.params.id, request.params.version);
        return presentProcedureVersion(version.definition.name, version);
      },
    );

    app.post(
      '/workflows/:id/run',
      {
        schema: {
          response: { 202: runStartedWire, ...problemResponses },
          tags: ['executions'],
          summary: 'Start an execution; answers 202 at once',
          params: workflowParams,
          body: runBody,
        },
        // Every field is optional, so no body at all means `{}` (the schema's default covers only an absent one).
        preValidation: async (request) => {
          request.body ??= {} as typeof request.body;
        },
      },
      async (request, reply) => {
        const trigger = request.body.procedure ? 'manual' : request.headers['x-runledger-trigger'] === 'cli' ? 'cli' : 'api';
        const execution = await services.engine.startExecution({
          workflowId: request.params.id,
          version: request.body.version,
          inputs: request.body.inputs,
          title: request.body.title,
          correlationId: request.body.correlationId,
          trigger,
          actor: actorOf(request),
          // W3C Trace Context: the execution joins the caller's trace (when traces are exported).
          traceparent: singleHeader(request.headers.traceparent),
          tracestate: singleHeader(request.headers.tracestate),
        });
        return reply
          .code(202)
          .header('location', `/v1/executions/${execution.id}`)
          .send({ executionId: execution.id, status: execution.status, title: execution.title });
      },
    );

    app.post(
      '/workflows/:id/runs',
      {
        schema: {
          response: { 202: runsStartedWire, ...problemResponses },
          tags: ['executions'],
          summary: `Start many executions of one version (at most ${MAX_RUNS_PER_REQUEST} input sets; one bad set starts none); answers 202 at once`,
          params: workflowParams,
          body: runsBody,
        },
      },
      async (request, reply) => {
        const executions = await services.engine.startExecutions({
          workflowId: request.params.id,
          version: request.body.version,
          runs: request.body.runs,
          trigger: request.headers['x-runledger-trigger'] === 'cli' ? 'cli' : 'api',
          actor: actorOf(request),
        });
        return reply.code(202).send({ items: executions.map((e) => ({ executionId: e.id, status: e.status, title: e.title })) });
      },
    );

    app.get(
      '/workflows/:id/executions/count',
      {
        schema: {
          response: { 200: executionCountWire, ...problemResponses },
          tags: ['executions'],
          summary: "How many of one workflow's executions match",
          params: workflowParams,
          querystring: executionListQuery,
        },
      },
      async (request) => {
        await services.catalog.get(request.params.id);
        return countExecutionsFor(services.store, actorOf(request), request.query, request.params.id);
      },
    );

    app.get(
      '/workflows/:id/executions',
      {
        schema: {
          response: { 200: executionPageWire, ...problemResponses },
          tags: ['executions'],
          summary: "One workflow's executions, newest first",
          params: workflowParams,
          querystring: executionListQuery,
        },
      },
      async (request) => {
        await services.catalog.get(request.params.id);
        return listExecutionsPage(services.store, actorOf(request), request.query, request.params.id);
      },
    );
  };
}

/** A header that must come once: a repeated one is ignored, as W3C Trace Context asks of `traceparent`. */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
