import type { z } from 'zod';
import { executionReadScope } from '../auth/access-policy.ts';
import type { Actor } from '../domain/records.ts';
import type { Store } from '../store/store.ts';
import { listExecutions } from '../store/execution-repository.ts';
import { presentExecutionSummary } from './presenters.ts';
import type { executionListQuery } from './schemas.ts';

/** One page of history as the actor may see it: the access scope is applied in SQL, last, so no query can widen it. */
export async function listExecutionsPage(store: Store, actor: Actor, query: z.output<typeof executionListQuery>, workflowId?: string) {
  const page = await listExecutions(store.db, {
    workflowId: workflowId ?? query.workflow,
    statuses: query.status,
    triggeredBy: query.triggeredBy,
    from: query.from,
    to: query.to,
    cursor: query.cursor,
    limit: query.limit,
    scope: executionReadScope(actor),
  });
  return { items: page.items.map(presentExecutionSummary), nextCursor: page.nextCursor };
}
