import type { z } from 'zod';
import { executionReadScope } from '../auth/access-policy.ts';
import { ForbiddenError } from '../domain/errors.ts';
import type { Actor } from '../domain/records.ts';
import type { Store } from '../store/store.ts';
import { countExecutions, listExecutions, type ExecutionCriteria } from '../store/execution-repository.ts';
import { getUserByUsername, usernames } from '../store/user-repository.ts';
import { findWorkflowIds, workflowNames } from '../store/workflow-repository.ts';
import { presentExecutionSummary } from './presenters.ts';
import { uuidParam, type executionListQuery } from './schemas.ts';

type ListQuery = z.output<typeof executionListQuery>;

/** A user id for an executor filter given as a user id or a username; an unknown name matches nobody. */
async function executorId(store: Store, ref: string): Promise<string> {
  if (uuidParam.safeParse(ref).success) return ref;
  return (await getUserByUsername(store.db, ref))?.id ?? '00000000-0000-0000-0000-000000000000';
}

async function criteria(store: Store, actor: Actor, query: ListQuery, workflowId?: string): Promise<ExecutionCriteria> {
  if (query.deleted && actor.role !== 'admin') throw new ForbiddenError('Only administrators see deleted executions');
  return {
    workflowId: workflowId ?? query.workflow,
    workflowIds: query.procedure === undefined ? undefined : await findWorkflowIds(store.db, query.procedure),
    statuses: query.status,
    triggeredBy: query.executor === undefined ? query.triggeredBy : await executorId(store, query.executor),
    trigger: query.trigger,
    from: query.from,
    to: query.to,
    keyword: query.keyword,
    inputs: query.inputs,
    deleted: query.deleted,
    // the access scope comes from the policy, never from the query, so no parameter can widen it
    scope: executionReadScope(actor),
  };
}

/**
 * One page of history as the actor may see it, filtered in SQL; each row names its procedure
 * (workflow) and executor, looked up for the whole page at once.
 */
export async function listExecutionsPage(store: Store, actor: Actor, query: ListQuery, workflowId?: string) {
  const page = await listExecutions(store.db, {
    ...(await criteria(store, actor, query, workflowId)),
    cursor: query.cursor,
    limit: query.limit,
  });
  const names = await workflowNames(
    store.db,
    page.items.map((e) => e.workflowId),
  );
  const users = await usernames(
    store.db,
    page.items.map((e) => e.triggeredBy),
  );
  return {
    items: page.items.map((e) => ({
      ...presentExecutionSummary(e),
      workflowName: names.get(e.workflowId) ?? null,
      triggeredByUsername: e.triggeredBy ? (users.get(e.triggeredBy) ?? null) : null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** How many executions match, as the actor may see them: the only place history is counted. */
export async function countExecutionsFor(store: Store, actor: Actor, query: ListQuery, workflowId?: string) {
  return { count: await countExecutions(store.db, await criteria(store, actor, query, workflowId)) };
}
