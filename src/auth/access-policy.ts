import { ForbiddenError } from '../domain/errors.ts';
import type { Actor, Execution } from '../domain/records.ts';
import type { ExecutionReadScope } from '../store/execution-visibility.ts';

/**
 * The one place that decides who may see and change what (docs/access.md has this table):
 *
 * | action                                   | admin | owner (triggered it) | shared user / group member | other member |
 * |------------------------------------------|-------|----------------------|----------------------------|--------------|
 * | read an execution, its task runs          | yes   | yes                  | yes, while shared          | 404          |
 * | cancel, complete steps                    | yes   | yes                  | 403*                       | 404          |
 * | change sharing                            | yes   | yes                  | 403*                       | 404          |
 * | list / count executions                   | all   | own + shared with them | own + shared             | own + shared |
 * | read and run workflows                    | yes   | yes                  | yes                        | yes          |
 * | create, edit, delete workflows            | yes   | if granted           | if granted                 | if granted   |
 * | users, groups                             | yes   | 403                  | 403                        | 403          |
 *
 * *A reader who may not write gets 403 `FORBIDDEN` (they already know it exists); anyone who may not
 * read gets 404, the same answer as for a missing record, so nobody learns that it exists.
 */
export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** The SQL scope of every execution read: lists, counts and single reads alike. */
export function executionReadScope(actor: Actor): ExecutionReadScope {
  if (isAdmin(actor)) return { kind: 'all' };
  // An actor without a user id (none exist today) sees nothing.
  return { kind: 'user', userId: actor.userId ?? '00000000-0000-0000-0000-000000000000' };
}

/** Cancelling, completing steps, changing sharing: the owner and admins. */
export function canOperateExecution(actor: Actor, execution: Execution): boolean {
  return isAdmin(actor) || (execution.triggeredBy !== null && execution.triggeredBy === actor.userId);
}

export function assertCanOperateExecution(actor: Actor, execution: Execution): void {
  if (!canOperateExecution(actor, execution)) throw new ForbiddenError('Only the owner of this execution or an admin may change it');
}

export function canEditWorkflows(actor: Actor): boolean {
  return isAdmin(actor) || actor.canEditWorkflows === true;
}

export function assertCanEditWorkflows(actor: Actor): void {
  if (!canEditWorkflows(actor))
    throw new ForbiddenError('Creating, editing and deleting workflows needs the admin role or the workflow-editing grant');
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('This needs the admin role');
}
