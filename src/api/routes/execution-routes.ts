import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TaskRunNotFoundError, ValidationError } from '../../domain/errors.ts';
import { recordAuditRead } from '../../observe/security-events.ts';
import { shareExecution } from '../../records/execution-sharing.ts';
import { getExecutionShares } from '../../store/execution-share-repository.ts';
import { getGroupByName, listGroups, searchGroups } from '../../store/group-repository.ts';
import { getUserById, getUserByUsername, searchUsers } from '../../store/user-repository.ts';
import { listStepResultAudit } from '../../store/step-result-audit-repository.ts';
import { listAuditChain } from '../../store/audit-event-repository.ts';
import { verifyAudit } from '../../observe/audit-checkpoints.ts';
import { getExecution } from '../../store/execution-repository.ts';
import { operableExecution, readableExecution } from '../execution-access.ts';
import { countExecutionsFor, listExecutionsPage } from '../list-executions-page.ts';
import { getTaskRun } from '../../store/task-run-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { executionDetail } from '../execution-detail.ts';
import { presentTaskRun } from '../presenters.ts';
import {
  cancelBody,
  completeStepBody,
  directoryQuery,
  executionListQuery,
  executionParams,
  sharesBody,
  taskRunParams,
  uuidParam,
} from '../schemas.ts';
import {
  directoryWire,
  executionAuditWire,
  executionCountWire,
  executionDetailWire,
  executionPageWire,
  executionSharesWire,
  listOf,
  problemResponses,
  stepResultAuditEntryWire,
  taskRunWire,
} from '../../domain/wire/index.ts';

export function executionRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;

  /** A task run of that execution; one of another execution is "not found" like a missing one. */
  async function taskRunOf(executionId: string, taskRunId: string) {
    const run = await getTaskRun(db, taskRunId);
    if (!run || run.executionId !== executionId) throw new TaskRunNotFoundError(taskRunId);
    return run;
  }

  /** Ids or names of users or groups to ids; an unknown one is a 400 naming it. */
  async function resolvePrincipals(refs: readonly string[], kind: 'user' | 'group'): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const found =
        kind === 'user'
          ? uuidParam.safeParse(ref).success
            ? await getUserById(db, ref)
            : await getUserByUsername(db, ref)
          : uuidParam.safeParse(ref).success
            ? (await listGroups(db, [ref]))[0]
            : await getGroupByName(db, ref);
      if (!found)
        throw new ValidationError(`body.${kind}s: unknown ${kind} "${ref}"`, { problems: [`body.${kind}s: unknown ${kind} "${ref}"`] });
      if (!ids.includes(found.id)) ids.push(found.id);
    }
    return ids;
  }

  return async (app) => {
    app.get(
      '/executions',
      {
        schema: {
          response: { 200: executionPageWire, ...problemResponses },
          tags: ['executions'],
          summary: 'Execution history, newest first (keyset cursor)',
          querystring: executionListQuery,
        },
      },
      async (request) => {
        return listExecutionsPage(services.store, actorOf(request), request.query);
      },
    );

    app.get(
      '/executions/count',
      {
        schema: {
          response: { 200: executionCountWire, ...problemResponses },
          tags: ['executions'],
          summary: 'How many executions match the filters (the only counting route)',
          querystring: executionListQuery,
        },
      },
      async (request) => countExecutionsFor(services.store, actorOf(request), request.query),
    );

    app.get(
      '/executions/:id',
      {
        schema: {
          response: { 200: executionDetailWire, ...problemResponses },
          tags: ['executions'],
          summary: 'Status, timings, inputs, context snapshot and every task run',
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        return executionDetail(db, execution);
      },
    );

    app.get(
      '/executions/:id/tasks/:taskRunId',
      {
        schema: {
          response: { 200: taskRunWire, ...problemResponses },
          tags: ['executions'],
          summary: 'One task run',
          params: taskRunParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        const run = await taskRunOf(execution.id, request.params.taskRunId);
        return presentTaskRun(run);
      },
    );

    app.get(
      '/executions/:id/audit',
      {
        schema: {
          response: { 200: executionAuditWire, ...problemResponses },
          tags: ['audit'],
          summary: "The execution's audit events and whether its chain verifies",
          params: executionParams,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await readableExecution(services, request, request.params.id);
        const events = await listAuditChain(db, 'execution', execution.id);
        // The same verification as `audit verify --execution`: links, authentication, lifecycle, the record's facts, checkpoints.
        const { ok, problems } = await verifyAudit(db, services.auditSigner, { subject: { type: 'execution', id: execution.id } });
        // Reading the audit trail is itself an audit event (on the reader's chain, not the one read).
        await recordAuditRead(db, actor, { executionId: execution.id });
        // Every problem is this execution's: the lines need not name it.
        const own = `execution ${execution.id}: `;
        const lines = problems.map((p) => (p.startsWith(own) ? p.slice(own.length) : p));
        return { items: events, verification: { ok, checked: events.length, problems: lines } };
      },
    );

    app.get(
      '/executions/:id/step-audit',
      {
        schema: {
          response: { 200: listOf(stepResultAuditEntryWire), ...problemResponses },
          tags: ['audit'],
          summary: 'Every step result of the execution, all task runs at once, with the full result joined from its transition',
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        return { items: await listStepResultAudit(db, execution.id) };
      },
    );

    app.get(
      '/executions/:id/tasks/:taskRunId/audit',
      {
        schema: {
          response: { 200: listOf(stepResultAuditEntryWire), ...problemResponses },
          tags: ['audit'],
          summary: "A step's result audit: one row per result, with the full result joined from its transition",
          params: taskRunParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        const run = await taskRunOf(execution.id, request.params.taskRunId);
        return { items: await listStepResultAudit(db, execution.id, run.id) };
      },
    );

    app.post(
      '/executions/:id/cancel',
      {
        schema: {
          response: { 200: executionDetailWire, ...problemResponses },
          tags: ['executions'],
          summary: 'Cancel with a reason; running processes are killed',
          params: executionParams,
          body: cancelBody,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await operableExecution(services, request, request.params.id);
        await services.engine.cancelExecution(execution.id, actor, request.body.reason ?? `cancelled by ${actor.username ?? 'unknown'}`);
        const ended = (await getExecution(db, execution.id))!;
        return executionDetail(db, ended);
      },
    );

    app.post(
      '/executions/:id/tasks/:taskRunId/complete',
      {
        schema: {
          response: { 200: taskRunWire, ...problemResponses },
          tags: ['executions'],
          summary: 'A person completes a waiting manual step',
          params: taskRunParams,
          body: completeStepBody,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await operableExecution(services, request, request.params.id);
        const run = await taskRunOf(execution.id, request.params.taskRunId);
        const ended = await services.engine.completeManualStep(execution.id, run.id, {
          status: request.body.status,
          notes: request.body.notes ?? null,
          actor,
        });
        return presentTaskRun(ended);
      },
    );

    app.get(
      '/executions/:id/shares',
      {
        schema: {
          response: { 200: executionSharesWire, ...problemResponses },
          tags: ['sharing'],
          summary: 'Who an execution is shared with',
          params: executionParams,
        },
      },
      async (request) => {
        const execution = await readableExecution(services, request, request.params.id);
        return { scope: execution.accessScope, ...(await getExecutionShares(db, execution.id)) };
      },
    );

    app.get(
      '/directory',
      {
        schema: {
          response: { 200: directoryWire, ...problemResponses },
          tags: ['sharing'],
          summary: 'Users (enabled) and groups whose name contains q, at most 20 of each: whom a record can be shared with',
          querystring: directoryQuery,
        },
      },
      async (request) => {
        const q = request.query.q;
        const [users, groups] = await Promise.all([searchUsers(db, q, 20), searchGroups(db, q, 20)]);
        return { users, groups };
      },
    );

    app.put(
      '/executions/:id/shares',
      {
        schema: {
          response: { 200: executionSharesWire, ...problemResponses },
          tags: ['sharing'],
          summary: 'Share with users and groups (read only), or make private; owner or admin',
          params: executionParams,
          body: sharesBody,
        },
      },
      async (request) => {
        const execution = await operableExecution(services, request, request.params.id);
        const userIds = await resolvePrincipals(request.body.users, 'user');
        const groupIds = await resolvePrincipals(request.body.groups, 'group');
        return shareExecution(db, actorOf(request), execution, { scope: request.body.scope, userIds, groupIds });
      },
    );
  };
}
