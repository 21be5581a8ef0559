import type { FastifyRequest } from 'fastify';
import { assertCanOperateExecution, executionReadScope } from '../auth/access-policy.ts';
import { ExecutionNotFoundError } from '../domain/errors.ts';
import type { Execution } from '../domain/records.ts';
import { recordAccessDenied } from '../observe/security-events.ts';
import { getExecution, getVisibleExecution } from '../store/execution-repository.ts';
import { actorOf } from './access-hook.ts';
import type { AppServices } from './app-services.ts';

/**
 * The way every route reaches an execution: read through the actor's SQL scope, so a record the
 * actor may not read answers 404 exactly like a missing one. A denied read of a record that exists
 * is recorded as a security audit event (visible to admins only), written just after the answer; the
 * caller's answer, and how long it takes, are the same.
 */
export async function readableExecution(services: AppServices, request: FastifyRequest, id: string): Promise<Execution> {
  const actor = actorOf(request);
  const execution = await getVisibleExecution(services.store.db, id, executionReadScope(actor));
  if (execution) return execution;
  if (await getExecution(services.store.db, id)) {
    const denied = { executionId: id, method: request.method, route: request.routeOptions.url ?? request.url };
    // Off the request path: the answer must take as long as for an id that does not exist.
    request.server.deferredAudit.add('ACCESS_DENIED', () => recordAccessDenied(services.store.db, actor, denied));
  }
  throw new ExecutionNotFoundError(id);
}

/** An execution the actor may change: readable (else 404) and theirs or an admin's (else 403). */
export async function operableExecution(services: AppServices, request: FastifyRequest, id: string): Promise<Execution> {
  const execution = await readableExecution(services, request, id);
  assertCanOperateExecution(actorOf(request), execution);
  return execution;
}
