import { ForbiddenError } from '../domain/errors.ts';
import type { Actor, Execution } from '../domain/records.ts';

/**
 * The one place that decides who may see and change what.
 *
 * | actor   | executions: read        | executions: cancel, complete steps | workflows: read, run | workflows: write | users, tokens of others |
 * |---------|-------------------------|------------------------------------|----------------------|------------------|-------------------------|
 * | admin   | all                     | all                                | all                  | yes              | yes                     |
 * | member  | those they triggered    | those they triggered               | all                  | yes              | no                      |
 *
 * A record the actor may not read is reported as missing (404), never as forbidden, so nobody
 * learns that it exists.
 */
export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** The SQL scope for execution lists: `triggeredBy` is forced for members. */
export function executionListScope(actor: Actor): { triggeredBy?: string } {
  return isAdmin(actor) ? {} : { triggeredBy: actor.userId ?? '\u0000' };
}

export function canReadExecution(actor: Actor, execution: Execution): boolean {
  return isAdmin(actor) || (execution.triggeredBy !== null && execution.triggeredBy === actor.userId);
}

/** Cancelling and completing steps: the same people who can read it, for now. */
export function canOperateExecution(actor: Actor, execution: Execution): boolean {
  return canReadExecution(actor, execution);
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('This needs the admin role');
}
