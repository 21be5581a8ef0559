import type { z } from 'zod';
import { executionReadScope } from '../auth/access-policy.ts';
import type { Actor } from '../domain/records.ts';
import type { Store } from '../store/store.ts';
import { countExecutions, listExecutions, type ExecutionCriteria } from '../store/execution-repository.ts';
import { presentExecutionSummary } from './presenters.ts';
import type { executionListQuery } from './schemas.ts';

function criteria(actor: Actor, query: z.output<typeof executionListQuery>, workflowId?: string): ExecutionCriteria {
  return {
    workflowId: workflowId ?? query.workflow,
    statuses: query.status,
    triggeredBy: query.triggeredBy,
    from: query.from,
    to: query.to,
    keyword: query.keyword,
    inputs: query.inputs,
    // the access scope comes from the policy, never from the query, so no parameter can widen it
    scope: executionReadScope(actor),
  };
}

/** One page of history as the actor may see it, filtered in SQL. */
export async function listExecutionsPage(store: Store, actor: Actor, query: z.output<typeof executionListQuery>, workflowId?: string) {
  const page = await listExecutions(store.db, { ...criteria(actor, query, workflowId), cursor: query.cursor, limit: query.limit });
  return { items: page.items.map(presentExecutionSummary), nextCursor: page.nextCursor };
}

/** How many executions match, as the actor may see them: the only place history is counted. */
export async function countExecutionsFor(store: Store, actor: Actor, query: z.output<typeof executionListQuery>, workflowId?: string) {
  return { count: await countExecutions(store.db, criteria(actor, query, workflowId)) };
}
