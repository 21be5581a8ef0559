import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { canOperateExecution, canReadExecution } from '../../auth/access-policy.ts';
import { ExecutionNotFoundError, TaskRunNotFoundError } from '../../domain/errors.ts';
import type { Actor, Execution } from '../../domain/records.ts';
import { getExecution } from '../../store/execution-repository.ts';
import { listExecutionsPage } from '../list-executions-page.ts';
import { getTaskRun, listTaskRunsByExecution } from '../../store/task-run-repository.ts';
import { actorOf } from '../access-hook.ts';
import type { AppServices } from '../app-services.ts';
import { presentExecution, presentTaskRun } from '../presenters.ts';
import { cancelBody, completeStepBody, executionListQuery, executionParams, taskRunParams } from '../schemas.ts';

export function executionRoutes(services: AppServices): FastifyPluginAsyncZod {
  const db = services.store.db;

  /** Loads an execution the actor may read; anything else is "not found", whether or not it exists. */
  async function readable(actor: Actor, id: string): Promise<Execution> {
    const execution = await getExecution(db, id);
    if (!execution || !canReadExecution(actor, execution)) throw new ExecutionNotFoundError(id);
    return execution;
  }

  async function operable(actor: Actor, id: string): Promise<Execution> {
    const execution = await readable(actor, id);
    if (!canOperateExecution(actor, execution)) throw new ExecutionNotFoundError(id);
    return execution;
  }

  return async (app) => {
    app.get(
      '/executions',
      { schema: { tags: ['executions'], summary: 'Execution history, newest first (keyset cursor)', querystring: executionListQuery } },
      async (request) => {
        return listExecutionsPage(services.store, actorOf(request), request.query);
      },
    );

    app.get(
      '/executions/:id',
      {
        schema: { tags: ['executions'], summary: 'Status, timings, inputs, context snapshot and every task run', params: executionParams },
      },
      async (request) => {
        const execution = await readable(actorOf(request), request.params.id);
        return presentExecution(execution, await listTaskRunsByExecution(db, execution.id));
      },
    );

    app.get(
      '/executions/:id/tasks/:taskRunId',
      { schema: { tags: ['executions'], summary: 'One task run', params: taskRunParams } },
      async (request) => {
        const execution = await readable(actorOf(request), request.params.id);
        const run = await getTaskRun(db, request.params.taskRunId);
        if (!run || run.executionId !== execution.id) throw new TaskRunNotFoundError(request.params.taskRunId);
        return presentTaskRun(run);
      },
    );

    app.post(
      '/executions/:id/cancel',
      {
        schema: {
          tags: ['executions'],
          summary: 'Cancel with a reason; running processes are killed',
          params: executionParams,
          body: cancelBody,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await operable(actor, request.params.id);
        await services.engine.cancelExecution(execution.id, actor, request.body.reason ?? `cancelled by ${actor.username ?? 'unknown'}`);
        const ended = (await getExecution(db, execution.id))!;
        return presentExecution(ended, await listTaskRunsByExecution(db, execution.id));
      },
    );

    app.post(
      '/executions/:id/steps/:taskRunId/complete',
      {
        schema: {
          tags: ['executions'],
          summary: 'A person completes a waiting manual step',
          params: taskRunParams,
          body: completeStepBody,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const execution = await operable(actor, request.params.id);
        const run = await getTaskRun(db, request.params.taskRunId);
        if (!run || run.executionId !== execution.id) throw new TaskRunNotFoundError(request.params.taskRunId);
        const ended = await services.engine.completeManualStep(execution.id, run.id, {
          status: request.body.status,
          notes: request.body.notes ?? null,
          actor,
        });
        return presentTaskRun(ended);
      },
    );
  };
}
